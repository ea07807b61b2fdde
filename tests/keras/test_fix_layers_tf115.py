"""Regression tests: Keras layers and models as TF 1.15 (values from tf_keras, graph mode)."""

import os

import flowgraph as fg

k = fg.keras


def _names(items):
    return [t.name for t in items]


def test_keras_layers_keep_updates_and_losses_out_of_collections():
    with fg.Graph().as_default():
        x = k.Input((3,))
        dense = k.layers.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
        bn = k.layers.BatchNormalization()
        y = bn(dense(x), training=True)
        assert fg.get_collection(fg.GraphKeys.UPDATE_OPS) == []
        assert fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES) == []
        assert fg.losses.get_regularization_losses() == []
        assert len(bn.updates) == 2 and len(dense.losses) == 2
        # TF 1.15 keeps a tensor given to add_update as its op
        assert _names(bn.updates) == ["batch_normalization/AssignMovingAvg",
                                      "batch_normalization/AssignMovingAvg_1"]
        assert all(isinstance(u, fg.Operation) for u in bn.updates)
        model = k.Model(x, y)
        assert len(model.updates) == 2 and len(model.losses) == 2


def test_tf_layers_still_use_collections():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None, 3])
        fg.layers.batch_normalization(x, training=True)
        assert len(fg.get_collection(fg.GraphKeys.UPDATE_OPS)) == 2
        fg.layers.Dense(2, kernel_regularizer=lambda w: fg.reduce_sum(w))(x)
        assert len(fg.get_collection(fg.GraphKeys.REGULARIZATION_LOSSES)) == 1


def test_get_updates_for_and_get_losses_for():
    with fg.Graph().as_default():
        x = k.Input((3,))
        dense = k.layers.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
        bn = k.layers.BatchNormalization()
        h = dense(x)
        y = bn(h, training=True)
        # TF 1.15: both moving-average updates depend on h (and x); none unconditional
        assert _names(bn.get_updates_for(h)) == _names(bn.updates)
        assert _names(bn.get_updates_for(x)) == _names(bn.updates)
        assert bn.get_updates_for(None) == []
        # the activity loss depends on the inputs, the kernel's one does not
        assert _names(dense.get_losses_for(x)) == ["dense/ActivityRegularizer/truediv:0"]
        assert [t.name.startswith("dense/kernel/Regularizer") for t in
                dense.get_losses_for(None)] == [True]
        model = k.Model(x, y)
        assert len(model.get_updates_for(x)) == 2 and model.get_updates_for(None) == []
        x2 = k.Input((3,))
        model(x2)
        assert len(model.updates) == 4
        assert [n.startswith("model/batch_normalization/") for n in
                _names(model.get_updates_for(x2))] == [True, True]


def test_custom_layer_conditional_and_unconditional():
    class Counter(k.layers.Layer):
        def build(self, shape):
            self.v = self.add_weight("v", (), initializer="zeros", trainable=False)

        def call(self, inputs):
            self.add_update(fg.assign_add(self.v, 1.0))
            self.add_update(fg.assign_add(self.v, fg.reduce_sum(inputs)))
            self.add_loss(fg.constant(2.0))
            self.add_loss(fg.reduce_sum(inputs), inputs=inputs)
            return inputs

    with fg.Graph().as_default():
        x = k.Input((3,))
        layer = Counter()
        layer(x)
        ups, losses = layer.updates, layer.losses
        assert len(ups) == 2 and len(losses) == 2
        assert layer.get_updates_for(None) == [ups[0]]
        assert layer.get_updates_for(x) == [ups[1]]
        assert layer.get_losses_for(None) == [losses[0]]
        assert layer.get_losses_for(x) == [losses[1]]


def test_variable_names_follow_name_scope():
    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None, 3])
        with fg.variable_scope("net"):
            with fg.name_scope("head"):
                y = k.layers.Dense(2)(x)
        with fg.name_scope("a"):
            y2 = k.layers.Dense(2)(x)
        y3 = k.layers.Dense(2)(x)
        seq = k.Sequential([k.layers.Dense(2)])
        y4 = seq(x)
        inp = k.Input((3,))
        functional = k.Model(inp, k.layers.Dense(2, name="fd")(inp))
        with fg.name_scope("e"):
            y5 = functional(x)
        assert _names(fg.global_variables()) == [
            "net/head/dense/kernel:0", "net/head/dense/bias:0", "a/dense_1/kernel:0",
            "a/dense_1/bias:0", "dense_2/kernel:0", "dense_2/bias:0",
            "sequential/dense_3/kernel:0", "sequential/dense_3/bias:0", "fd/kernel:0",
            "fd/bias:0"]
        assert [y.name, y2.name, y3.name, y4.name, y5.name] == [
            "net/head/dense/BiasAdd:0", "a/dense_1/BiasAdd:0", "dense_2/BiasAdd:0",
            "sequential/dense_3/BiasAdd:0", "e/model/fd/BiasAdd:0"]


def test_clone_sequential_on_plain_tensor():
    with fg.Graph().as_default():
        seq = k.Sequential([k.layers.Dense(2, input_shape=(3,))], name="seqm")
        x = fg.placeholder(fg.float32, [None, 3])
        clone = k.models.clone_model(seq, input_tensors=x)
        assert clone.name == "seqm" and [layer.name for layer in clone.layers] == ["dense"]
        assert clone.inputs == [x] and clone.outputs[0].name == "dense_1/BiasAdd:0"
        inp = k.Input((3,))
        functional = k.Model(inp, k.layers.Dense(2)(inp), name="fm")
        clone2 = k.models.clone_model(functional, input_tensors=x)
        assert clone2.name == "fm" and clone2.inputs == [x]
        assert [layer.name for layer in clone2.layers] == [
            "input_wrapper_for_Placeholder:0", "dense_1"]


def test_input_layer_config_has_ragged():
    with fg.Graph().as_default():
        layer = k.layers.InputLayer(input_shape=(3,))
        assert layer.get_config() == {"batch_input_shape": (None, 3), "dtype": "float32",
                                      "sparse": False, "ragged": False, "name": "input_1"}


def test_save_weights_checkpoint_files_without_meta(tmp_path):
    k.backend.clear_session()
    with fg.Graph().as_default():
        model = k.Sequential([k.layers.Dense(2, input_shape=(3,))])
        path = os.path.join(str(tmp_path), "ck")
        model.save_weights(path)
        assert sorted(os.listdir(str(tmp_path))) == [
            "checkpoint", "ck.data-00000-of-00001", "ck.index"]
        before = model.get_weights()
        model.set_weights([w * 0 for w in before])
        model.load_weights(path)
        assert all((a == b).all() for a, b in zip(model.get_weights(), before))


def test_weights_of_layers_built_by_hand():
    class Outer(k.layers.Layer):
        def build(self, shape):
            self.inner = k.layers.Dense(3)
            self.inner.build(shape)
            self.w = self.add_weight("w", (3,))

        def call(self, inputs):
            return self.inner(inputs)

    with fg.Graph().as_default():
        x = fg.placeholder(fg.float32, [None, 3])
        first = k.layers.Dense(4)
        first.build((None, 3))
        with fg.name_scope("b"):
            k.layers.Dense(4).build((None, 3))
        with fg.variable_scope("vs"):
            k.layers.Dense(4).build((None, 3))
        k.layers.Dense(4).build((None, 3))
        with fg.name_scope("c"):
            y = first(x)
        with fg.name_scope("d"):
            Outer()(x)
        # TF 1.15 (tf_keras graph mode): no layer prefix for weights built by hand
        assert _names(fg.global_variables()) == [
            "kernel:0", "bias:0", "b/kernel:0", "b/bias:0", "vs/kernel:0", "vs/bias:0",
            "kernel_1:0", "bias_1:0", "d/outer/kernel:0", "d/outer/bias:0", "d/outer/w:0"]
        assert y.name == "c/dense/BiasAdd:0"
