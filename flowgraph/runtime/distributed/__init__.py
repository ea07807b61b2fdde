"""Running Sessions on a Dask cluster: `fg.Session(target="tcp://scheduler:8786")`.

A Session whose target is a Dask scheduler address, a `distributed.Client` or a cluster
object runs each `sess.run` on that cluster (needs `pip install "flowgraph[dask]"`; the
scheduler and every worker need flowgraph installed too, since they load the tasks):

- the pruned plan becomes a Dask graph: one task per heavy node or per fused group of cheap
  nodes (`program.py`), keys unique to each run;
- fed values and the values of the Variables the run reads are sent with each run; large
  constants and the groups' descriptions are sent once per plan and reused;
- Variables stay owned by the Session: tasks receive their values and return new ones,
  which update the Session when the run succeeds (a failed run changes only what nodes
  run on the client had changed); a large Variable value that no run has changed since it
  was sent stays on the cluster and is not sent again; random ops draw from the Session's
  own generators, sent with the task and returned, so a run gives the numbers a local
  Session gives; runs changing the same Variables or generators take turns;
- results are those of the reference executor (each node's own kernel, in plan order), bit
  for bit; a local Session's optimized plans (fused elementwise kernels) may differ from
  them in the last bits;
- `with fg.device("/job:worker/task:1")` pins nodes to a worker (`placement.py`); unpinned
  nodes go where Dask puts them;
- nodes whose kernels need more of the Session than Variables and random generators
  (iterators, cond/while_loop with their compiled branches) run in the client process
  (`nodes.runs_on_client`), between the cluster stages that need them;
- errors inside a task come back as the same OpError class, naming the node and where it
  was created; lost workers are Dask's to retry, and a run that cannot finish fails with
  UnavailableError; run deadlines are honoured (`failures.py`).
"""

from flowgraph.runtime.distributed.executor import DaskExecutor
from flowgraph.runtime.distributed.nodes import runs_on_client
from flowgraph.runtime.distributed.targets import INSTALL_HINT, is_dask_target

__all__ = ["DaskExecutor", "INSTALL_HINT", "is_dask_target", "runs_on_client"]
