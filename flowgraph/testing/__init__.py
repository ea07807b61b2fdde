"""TF1's `tf.test` (exported as `fg.test`): the graph-mode TestCase, `main`, the gradient
checker, Benchmark and the platform queries.

    import flowgraph as tf

    class SquareTest(tf.test.TestCase):
        def testSquare(self):
            with self.session():
                self.assertAllEqual(tf.square([2, 3]).eval(), [4, 9])

    if __name__ == "__main__":
        tf.test.main()

Left out: `create_local_cluster` (flowgraph has no gRPC servers: a Session whose target
names a Dask cluster runs graphs on several processes) and `assertProtoEquals` (flowgraph's
graph files are not protobufs: use `assert_equal_graph_def` for GraphDefs).
"""

from flowgraph.testing.benchmark import Benchmark
from flowgraph.testing.case import TestCase
from flowgraph.testing.gradient_checker import compute_gradient, compute_gradient_error
from flowgraph.testing.graph_def_equal import assert_equal_graph_def
from flowgraph.testing.platform import (
                                        StubOutForTesting,
                                        benchmark_config,
                                        get_temp_dir,
                                        gpu_device_name,
                                        is_built_with_cuda,
                                        is_built_with_gpu_support,
                                        is_built_with_rocm,
                                        is_built_with_xla,
                                        is_gpu_available,
                                        main,
                                        mock,
                                        test_src_dir_path,
)

__all__ = ["Benchmark", "StubOutForTesting", "TestCase", "assert_equal_graph_def",
           "benchmark_config", "compute_gradient", "compute_gradient_error",
           "get_temp_dir", "gpu_device_name", "is_built_with_cuda",
           "is_built_with_gpu_support", "is_built_with_rocm", "is_built_with_xla",
           "is_gpu_available", "main", "mock", "test_src_dir_path"]
