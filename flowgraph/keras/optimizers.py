"""`tf.keras.optimizers` as TF 1.15 had them (its OptimizerV2 classes), in graph mode.

Each optimizer keeps its hyper-parameters (``learning_rate``, ``beta_1``...) in Variables
made on first use under its name scope (``Adam/learning_rate``), an int64 ``iter`` Variable
(`iterations`) and per-variable slots named ``<Adam>/<var name>/<slot>`` (``Adam/dense/
kernel/m``). `get_updates(loss, params)` returns the update op, which also increments
`iterations`. ``lr`` is an alias of ``learning_rate``; ``decay`` divides the learning rate by
``1 + decay * iterations`` (inverse time decay). The update rules are TF 1.15's (Adam's
``epsilon`` is "epsilon hat": it is added to ``sqrt(v)`` after the bias correction is folded
into the step size).
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, Optional

import numpy as np

import flowgraph as fg
from flowgraph.keras import backend
from flowgraph.keras.generic_utils import deserialize_object, serialize_object

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
           "TFOptimizer", "get", "serialize", "deserialize"]

_ALLOWED_KWARGS = {"clipnorm", "clipvalue", "lr", "decay"}


class Optimizer:
    """Base of the Keras optimizers (TF 1.15's OptimizerV2 in graph mode).

    Subclasses declare their hyper-parameters with `_set_hyper`, their slots in
    `_create_slots` and their per-variable update in `_apply_dense(grad, var, hyper)`.
    """

    def __init__(self, name: str, **kwargs: Any) -> None:
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(f"Unexpected keyword argument(s) {sorted(unknown)} passed to "
                            f"optimizer {name}: allowed are {sorted(_ALLOWED_KWARGS)}.")
        for key in ("clipnorm", "clipvalue"):
            if kwargs.get(key) is not None and kwargs[key] < 0:
                raise ValueError(f"Expected {key} >= 0, received: {kwargs[key]}")
        if kwargs.get("decay", 0.0) < 0.0:
            raise ValueError(f"decay cannot be less than 0: {kwargs['decay']}")
        self._name = name
        self._hyper: dict = {}
        self._hyper_vars: dict = {}
        self._slots: dict = {}
        self._weights: list = []
        self._iterations: Any = None
        self._scope: Any = None
        self._initial_decay = float(kwargs.pop("decay", 0.0))
        self._set_hyper("decay", self._initial_decay)
        self.clipnorm = kwargs.pop("clipnorm", None)
        self.clipvalue = kwargs.pop("clipvalue", None)

    @contextlib.contextmanager
    def _name_scope(self) -> Iterator[str]:
        """The optimizer's name scope, opened once per graph (``Adam/``) and re-entered
        afterwards, so all its Variables share it."""
        graph = fg.get_default_graph()
        if self._scope is not None and self._scope[0] is graph:
            with fg.name_scope(self._scope[1]) as scope:
                yield scope
            return
        with fg.name_scope(self._name) as scope:
            self._scope = (graph, scope)
            yield scope

    # -- hyper-parameters
    def _set_hypers(self, **hypers: Any) -> None:
        """Declares each hyper-parameter (`_set_hyper` one by one)."""
        for name, value in hypers.items():
            self._set_hyper(name, value)

    def _set_hyper(self, name: str, value: Any) -> None:
        variable = self._hyper_vars.get(name)
        if variable is not None:
            backend.get_session().run(fg.assign(variable, value))
        else:
            self._hyper[name] = value

    def _get_hyper(self, name: str, dtype: Any = None) -> Any:
        variable = self._hyper_var(name)
        if _is_schedule(variable):  # called with the step, as TF 1.15's _decayed_lr
            dtype = dtype or backend.floatx()
            return fg.cast(variable(fg.cast(self.iterations, dtype)), dtype)
        return variable if dtype is None else fg.cast(variable, dtype)

    def _hyper_var(self, name: str) -> Any:
        variable = self._hyper_vars.get(name)
        if variable is None:
            value = self._hyper[name]
            if _is_schedule(value):
                return value  # no Variable: `_get_hyper` calls it with the step
            if callable(value):
                value = value()
            if isinstance(value, fg.Variable):
                variable = value
            else:
                # (outside any control dependencies of the caller: the initializer must not
                # wait for a gradient, which needs the model's inputs fed)
                with fg.control_dependencies(None), self._name_scope():
                    variable = fg.Variable(fg.cast(value, backend.floatx()), trainable=False,
                                           name=name, dtype=backend.floatx())
            self._hyper_vars[name] = variable
        return variable

    def __getattr__(self, name: str) -> Any:
        if name == "lr":
            name = "learning_rate"
        hyper = self.__dict__.get("_hyper", {})
        if name in hyper:
            return self._hyper_var(name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "lr":
            name = "learning_rate"
        if "_hyper" in self.__dict__ and name in self._hyper:
            self._set_hyper(name, value)
        else:
            super().__setattr__(name, value)

    def _hyper_value(self, name: str) -> Any:
        """A hyper-parameter as a Python number (read from its Variable when it has one)."""
        variable = self._hyper_vars.get(name)
        if variable is not None:
            return backend.get_session().run(variable).item()
        value = self._hyper[name]
        if _is_schedule(value):
            return schedules.serialize(value)
        if isinstance(value, fg.Variable):
            return backend.get_session().run(value).item()
        return value

    # -- state
    @property
    def iterations(self) -> Any:
        """The int64 step counter Variable ``<name>/iter``."""
        if self._iterations is None:
            with self._name_scope():
                self._iterations = fg.Variable(0, dtype=fg.int64, trainable=False,
                                               name="iter")
            self._weights.insert(0, self._iterations)
        return self._iterations

    @iterations.setter
    def iterations(self, variable: Any) -> None:
        if self._iterations is not None:
            raise RuntimeError("Cannot set `iterations` to a new Variable after it has been "
                               "created.")
        self._iterations = variable
        self._weights.insert(0, variable)

    def add_slot(self, var: Any, slot_name: str, initializer: Any = "zeros") -> Any:
        """The slot `slot_name` of `var` (made once, named ``<name>/<var>/<slot_name>``)."""
        key = (var.op.name, slot_name)
        if key not in self._slots:
            if isinstance(initializer, str):
                if initializer != "zeros":
                    raise ValueError(f"Unknown slot initializer {initializer!r}.")
                initial = np.zeros(var.shape.as_list(), dtype=var.dtype.base_dtype.name)
            else:
                initial = np.full(var.shape.as_list(), initializer,
                                  dtype=var.dtype.base_dtype.name)
            with self._name_scope():
                slot = fg.Variable(initial, trainable=False,
                                   name=f"{var.op.name}/{slot_name}",
                                   dtype=var.dtype.base_dtype)
            self._slots[key] = slot
            self._weights.append(slot)
        return self._slots[key]

    def get_slot(self, var: Any, slot_name: str) -> Any:
        return self._slots[(var.op.name, slot_name)]

    def get_slot_names(self) -> list:
        names = []
        for _, slot_name in self._slots:
            if slot_name not in names:
                names.append(slot_name)
        return names

    def _create_slots(self, var_list: list) -> None:
        """Makes the slots of `var_list` (none by default)."""

    def _add_slots(self, var_list: list, *slot_names: str) -> None:
        """Zero slots `slot_names` for each variable, one slot name after the other (the
        order of `weights`)."""
        for slot_name in slot_names:
            for var in var_list:
                self.add_slot(var, slot_name)

    @property
    def weights(self) -> list:
        return list(self._weights)

    def variables(self) -> list:
        return list(self._weights)

    def get_weights(self) -> list:
        return backend.get_session().run(self._weights) if self._weights else []

    def set_weights(self, weights: list) -> None:
        if len(weights) != len(self._weights):
            raise ValueError(f"Length of the specified weight list ({len(weights)}) does not "
                             f"match the number of weights of the optimizer "
                             f"({len(self._weights)}).")
        session = backend.get_session()
        for variable, value in zip(self._weights, weights):
            if tuple(variable.shape.as_list()) != tuple(np.shape(value)):
                raise ValueError(f"Optimizer weight shape {variable.shape} is not compatible "
                                 f"with provided weight shape {np.shape(value)}.")
        session.run([fg.assign(v, w) for v, w in zip(self._weights, weights)])

    # -- gradients and updates
    def get_gradients(self, loss: Any, params: list) -> list:
        """The gradients of `loss` for `params`, clipped by clipnorm / clipvalue."""
        params = list(params)
        grads = fg.gradients(loss, params)
        for grad, param in zip(grads, params):
            if grad is None:
                raise ValueError(
                    f"Variable {param.name} has `None` for gradient. Please make sure that "
                    "all of your ops have a gradient defined (i.e. are differentiable). "
                    "Common ops without gradient: K.argmax, K.round, K.eval.")
        if self.clipnorm is not None:
            grads = [fg.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            grads = [fg.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def get_updates(self, loss: Any, params: list) -> list:
        """``[op]``: one step on `params` down the gradient of `loss` (with the `iterations`
        increment)."""
        params = list(params)
        grads = self.get_gradients(loss, params)
        return [self.apply_gradients(list(zip(grads, params)))]

    def minimize(self, loss: Any, var_list: Any, grad_loss: Any = None,
                 name: Optional[str] = None) -> Any:
        """One step minimizing `loss` (a tensor, or a callable returning one) over
        `var_list` (a list, or a callable returning one)."""
        if callable(loss):
            loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = fg.gradients(loss, var_list, grad_ys=grad_loss)
        if self.clipnorm is not None:
            grads = [None if g is None else fg.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.clipvalue is not None:
            grads = [None if g is None else fg.clip_by_value(g, -self.clipvalue,
                                                                self.clipvalue)
                     for g in grads]
        return self.apply_gradients(list(zip(grads, var_list)), name=name)

    def apply_gradients(self, grads_and_vars: Any, name: Optional[str] = None) -> Any:
        """The op applying each (gradient, variable) update, then incrementing
        `iterations`; returns that increment."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            names = [getattr(v, "name", str(v)) for _, v in grads_and_vars]
            raise ValueError(f"No gradients provided for any variable: {names}.")
        var_list = [v for _, v in pairs]
        iterations = self.iterations
        with self._name_scope():
            self._create_slots(var_list)
            for hyper_name in self._hyper:
                self._hyper_var(hyper_name)
        grads = [fg.convert_to_tensor(g) for g, _ in pairs]
        with fg.name_scope(name or self._name):
            with fg.control_dependencies(grads):
                state = self._prepare(var_list[0].dtype.base_dtype)
                updates = [self._apply_dense(g, v, state) for g, v in zip(grads, var_list)]
            with fg.control_dependencies(updates):
                return fg.assign_add(iterations, fg.constant(1, dtype=fg.int64))

    def _decayed_lr(self, dtype: Any) -> Any:
        lr = self._get_hyper("learning_rate", dtype)
        if self._initial_decay > 0.0:
            step = fg.cast(self.iterations, dtype)
            lr = lr / (1.0 + self._get_hyper("decay", dtype) * step)
        return lr

    def _prepare(self, dtype: Any) -> dict:
        """Tensors shared by the per-variable updates of one step (lr_t by default)."""
        return {"lr_t": self._decayed_lr(dtype)}

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define _apply_dense.")

    # -- config
    # The constructor arguments get_config reports after name / clipnorm / clipvalue:
    # hyper-parameters by their current value, "decay" as given, the rest as attributes.
    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = {"name": self._name}
        if self.clipnorm is not None:
            config["clipnorm"] = self.clipnorm
        if self.clipvalue is not None:
            config["clipvalue"] = self.clipvalue
        for key in self._config_keys:
            if key == "decay":
                config[key] = self._initial_decay
            elif key in self._hyper:
                config[key] = self._hyper_value(key)
            else:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: Optional[dict] = None) -> "Optimizer":
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"],
                                                            custom_objects=custom_objects)
        return cls(**config)


def _lr(kwargs: dict, learning_rate: Any) -> Any:
    """`lr` (an alias kept for compatibility) wins over `learning_rate`."""
    return kwargs.get("lr", learning_rate)


def _has_momentum(momentum: Any) -> bool:
    """Whether `momentum` (a number in [0, 1], or a tensor / callable) needs a slot."""
    if not isinstance(momentum, (int, float)):
        return True
    if not 0 <= momentum <= 1:
        raise ValueError("`momentum` must be between [0, 1].")
    return momentum > 0


class SGD(Optimizer):
    """Gradient descent, with (Nesterov) momentum: ``accum = momentum * accum - lr * g;
    var += accum`` (Nesterov: ``var += momentum * accum - lr * g``)."""

    _config_keys = ("learning_rate", "decay", "momentum", "nesterov")

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, name: str = "SGD", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._momentum = _has_momentum(momentum)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate), momentum=momentum)
        self.nesterov = nesterov

    def _create_slots(self, var_list: list) -> None:
        if self._momentum:
            self._add_slots(var_list, "momentum")

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        lr = state["lr_t"]
        if not self._momentum:
            return fg.assign(var, var - lr * grad).op
        momentum = self._get_hyper("momentum", var.dtype.base_dtype)
        accum = self.get_slot(var, "momentum")
        accum_t = fg.assign(accum, accum * momentum - lr * grad)
        if self.nesterov:
            return fg.assign(var, var + accum_t * momentum - lr * grad).op
        return fg.assign(var, var + accum_t).op


class _AdamFamily(Optimizer):
    """What Adam, Adamax and Nadam share: the hyper-parameters learning_rate, beta_1 and
    beta_2, `epsilon`, the slots ``m`` and ``v`` and the first-moment update."""

    _config_keys = ("learning_rate", "decay", "beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate: Any, beta_1: Any, beta_2: Any, epsilon: float,
                 name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate), beta_1=beta_1,
                         beta_2=beta_2)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list: list) -> None:
        self._add_slots(var_list, "m", "v")

    def _betas_and_step(self, dtype: Any) -> tuple:
        """beta_1, beta_2 and the 1-based step ``t`` of this update, as `dtype` tensors."""
        return (self._get_hyper("beta_1", dtype), self._get_hyper("beta_2", dtype),
                fg.cast(self.iterations + 1, dtype))

    def _first_moment(self, grad: Any, var: Any, beta_1: Any) -> Any:
        """``m = b1 m + (1 - b1) g``, assigned to the slot."""
        m = self.get_slot(var, "m")
        return fg.assign(m, beta_1 * m + (1.0 - beta_1) * grad)


class Adam(_AdamFamily):
    """Adam: ``m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    var -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)`` (AMSGrad: the running
    maximum of v)."""

    _config_keys = _AdamFamily._config_keys + ("amsgrad",)

    def __init__(self, learning_rate: Any = 0.001, beta_1: Any = 0.9, beta_2: Any = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, name: str = "Adam",
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)
        self.amsgrad = amsgrad

    def _create_slots(self, var_list: list) -> None:
        super()._create_slots(var_list)
        if self.amsgrad:
            self._add_slots(var_list, "vhat")

    def _prepare(self, dtype: Any) -> dict:
        state = super()._prepare(dtype)
        beta_1, beta_2, step = self._betas_and_step(dtype)
        beta_1_power = fg.pow(beta_1, step)
        beta_2_power = fg.pow(beta_2, step)
        state.update(beta_1=beta_1, beta_2=beta_2,
                     lr=state["lr_t"] * fg.sqrt(1.0 - beta_2_power) / (1.0 - beta_1_power))
        return state

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        beta_2 = state["beta_2"]
        m_t = self._first_moment(grad, var, state["beta_1"])
        v = self.get_slot(var, "v")
        v_t = fg.assign(v, beta_2 * v + (1.0 - beta_2) * grad * grad)
        if self.amsgrad:
            vhat = self.get_slot(var, "vhat")
            v_t = fg.assign(vhat, fg.maximum(vhat, v_t))
        return fg.assign(var, var - state["lr"] * m_t / (fg.sqrt(v_t) + self.epsilon)).op


class RMSprop(Optimizer):
    """RMSprop. Without momentum: ``ms = rho ms + (1 - rho) g^2;
    var -= lr g / (sqrt(ms [- mg^2]) + epsilon)``; with momentum (TF's kernel):
    ``mom = momentum mom + lr g / sqrt(ms [- mg^2] + epsilon); var -= mom``."""

    _config_keys = ("learning_rate", "decay", "rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.9, momentum: Any = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, name: str = "RMSprop",
                 **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._momentum = _has_momentum(momentum)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate), rho=rho, momentum=momentum)
        self.epsilon = epsilon or backend.epsilon()
        self.centered = centered

    def _create_slots(self, var_list: list) -> None:
        slot_names = ["rms"]
        if self._momentum:
            slot_names.append("momentum")
        if self.centered:
            slot_names.append("mg")
        self._add_slots(var_list, *slot_names)

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        dtype = var.dtype.base_dtype
        lr = state["lr_t"]
        rho = self._get_hyper("rho", dtype)
        rms = self.get_slot(var, "rms")
        rms_t = fg.assign(rms, rho * rms + (1.0 - rho) * grad * grad)
        denom_t = rms_t
        if self.centered:
            mg = self.get_slot(var, "mg")
            mg_t = fg.assign(mg, rho * mg + (1.0 - rho) * grad)
            denom_t = rms_t - mg_t * mg_t
        if self._momentum:
            momentum = self._get_hyper("momentum", dtype)
            mom = self.get_slot(var, "momentum")
            mom_t = fg.assign(mom, momentum * mom + lr * grad / fg.sqrt(denom_t + self.epsilon))
            return fg.assign(var, var - mom_t).op
        return fg.assign(var, var - lr * grad / (fg.sqrt(denom_t) + self.epsilon)).op


class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2; var -= lr g / (sqrt(acc) + epsilon)``, the accumulators
    starting at `initial_accumulator_value`."""

    _config_keys = ("learning_rate", "decay", "initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, name: str = "Adagrad", **kwargs: Any) -> None:
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: "
                             f"{initial_accumulator_value}")
        super().__init__(name, **kwargs)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate))
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list: list) -> None:
        for var in var_list:
            self.add_slot(var, "accumulator", float(self.initial_accumulator_value))

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        acc = self.get_slot(var, "accumulator")
        acc_t = fg.assign(acc, acc + grad * grad)
        return fg.assign(var, var - state["lr_t"] * grad / (fg.sqrt(acc_t) + self.epsilon)).op


class Adadelta(Optimizer):
    """Adadelta: ``acc = rho acc + (1 - rho) g^2;
    upd = sqrt(acc_upd + eps) / sqrt(acc + eps) g; acc_upd = rho acc_upd + (1 - rho) upd^2;
    var -= lr upd``."""

    _config_keys = ("learning_rate", "decay", "rho", "epsilon")

    def __init__(self, learning_rate: Any = 0.001, rho: Any = 0.95, epsilon: float = 1e-7,
                 name: str = "Adadelta", **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self._set_hypers(learning_rate=_lr(kwargs, learning_rate), rho=rho)
        self.epsilon = epsilon or backend.epsilon()

    def _create_slots(self, var_list: list) -> None:
        self._add_slots(var_list, "accum_grad", "accum_var")

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        rho = self._get_hyper("rho", var.dtype.base_dtype)
        eps = self.epsilon
        accum = self.get_slot(var, "accum_grad")
        accum_update = self.get_slot(var, "accum_var")
        accum_t = fg.assign(accum, rho * accum + (1.0 - rho) * grad * grad)
        update = fg.sqrt(accum_update + eps) / fg.sqrt(accum_t + eps) * grad
        with fg.control_dependencies([update]):
            accum_update_t = fg.assign(accum_update,
                                       rho * accum_update + (1.0 - rho) * update * update)
        with fg.control_dependencies([accum_update_t]):
            return fg.assign(var, var - state["lr_t"] * update).op


class Adamax(_AdamFamily):
    """Adamax: ``m = b1 m + (1 - b1) g; u = max(b2 u, |g|);
    var -= lr / (1 - b1^t) * m / (u + epsilon)``."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: Any = 0.9, beta_2: Any = 0.999,
                 epsilon: float = 1e-7, name: str = "Adamax", **kwargs: Any) -> None:
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)

    def _prepare(self, dtype: Any) -> dict:
        state = super()._prepare(dtype)
        beta_1, beta_2, step = self._betas_and_step(dtype)
        state.update(beta_1=beta_1, beta_2=beta_2,
                     lr=state["lr_t"] / (1.0 - fg.pow(beta_1, step)))
        return state

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        m_t = self._first_moment(grad, var, state["beta_1"])
        v = self.get_slot(var, "v")
        v_t = fg.assign(v, fg.maximum(state["beta_2"] * v, fg.abs(grad)))
        return fg.assign(var, var - state["lr"] * m_t / (v_t + self.epsilon)).op


class Nadam(_AdamFamily):
    """Nesterov Adam with the momentum schedule ``mu_t = b1 (1 - 0.5 * 0.96^(0.004 t))``
    (`schedule_decay`, passed as `decay`, defaults to 0.004 and does NOT decay the rate)."""

    def __init__(self, learning_rate: Any = 0.001, beta_1: Any = 0.9, beta_2: Any = 0.999,
                 epsilon: float = 1e-7, name: str = "Nadam", **kwargs: Any) -> None:
        kwargs["decay"] = kwargs.pop("schedule_decay", kwargs.get("decay", 0.004))
        super().__init__(learning_rate, beta_1, beta_2, epsilon, name, **kwargs)
        self._m_cache: Any = None

    def _create_slots(self, var_list: list) -> None:
        if self._m_cache is None:
            with self._name_scope():
                self._m_cache = fg.Variable(1.0, trainable=False, name="momentum_cache",
                                            dtype=var_list[0].dtype.base_dtype)
            self._weights.append(self._m_cache)
        super()._create_slots(var_list)

    def _prepare(self, dtype: Any) -> dict:
        lr = self._get_hyper("learning_rate", dtype)
        beta_1, beta_2, local_step = self._betas_and_step(dtype)
        next_step = fg.cast(self.iterations + 2, dtype)
        decay_base = fg.constant(0.96, dtype=dtype)
        m_t = beta_1 * (1.0 - 0.5 * fg.pow(decay_base, self._initial_decay * local_step))
        m_t_1 = beta_1 * (1.0 - 0.5 * fg.pow(decay_base, self._initial_decay * next_step))
        m_schedule_new = fg.assign(self._m_cache, fg.cast(self._m_cache, dtype) * m_t)
        m_schedule_next = m_schedule_new * m_t_1
        return {"lr_t": lr, "beta_1": beta_1, "beta_2": beta_2, "m_t": m_t, "m_t_1": m_t_1,
                "one_minus_m_schedule_new": 1.0 - m_schedule_new,
                "one_minus_m_schedule_next": 1.0 - m_schedule_next,
                "v_t_prime_denominator": 1.0 - fg.pow(beta_2, local_step)}

    def _apply_dense(self, grad: Any, var: Any, state: dict) -> Any:
        v = self.get_slot(var, "v")
        g_prime = grad / state["one_minus_m_schedule_new"]
        m_t = self._first_moment(grad, var, state["beta_1"])
        m_t_prime = m_t / state["one_minus_m_schedule_next"]
        v_t = fg.assign(v, state["beta_2"] * v + (1.0 - state["beta_2"]) * grad * grad)
        v_t_prime = v_t / state["v_t_prime_denominator"]
        m_t_bar = (1.0 - state["m_t"]) * g_prime + state["m_t_1"] * m_t_prime
        return fg.assign(var, var - state["lr_t"] * m_t_bar /
                         (fg.sqrt(v_t_prime) + self.epsilon)).op


class TFOptimizer(Optimizer):
    """A `flowgraph.train.Optimizer` used as a Keras optimizer (TF1's wrapper): its
    `apply_gradients` with `iterations` as the global step."""

    def __init__(self, optimizer: Any, iterations: Any = None) -> None:
        super().__init__(name="TFOptimizer")
        self.optimizer = optimizer
        if iterations is None:
            # TF 1.15 makes it at once, as ``TFOptimizer/iterations``
            with fg.name_scope("TFOptimizer"):
                iterations = fg.Variable(0, dtype=fg.int64, trainable=False,
                                         name="iterations")
        self.iterations = iterations

    def get_updates(self, loss: Any, params: list) -> list:
        grads_and_vars = self.optimizer.compute_gradients(loss, list(params))
        return [self.optimizer.apply_gradients(grads_and_vars,
                                               global_step=self.iterations)]

    def apply_gradients(self, grads_and_vars: Any, name: Optional[str] = None) -> Any:
        return self.optimizer.apply_gradients(list(grads_and_vars),
                                              global_step=self.iterations, name=name)

    def minimize(self, loss: Any, var_list: Any, grad_loss: Any = None,
                 name: Optional[str] = None) -> Any:
        if callable(loss):
            loss = loss()
        if callable(var_list):
            var_list = var_list()
        return self.optimizer.minimize(loss, global_step=self.iterations,
                                       var_list=list(var_list), grad_loss=grad_loss,
                                       name=name)


_CLASSES = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam}


def serialize(optimizer: Optimizer) -> dict:
    """``{'class_name': ..., 'config': ...}`` of a Keras optimizer."""
    return serialize_object(optimizer)


def deserialize(config: dict, custom_objects: Optional[dict] = None) -> Optimizer:
    """The optimizer a `serialize` dict describes (the built-in class names are
    case-insensitive)."""
    if isinstance(config, dict) and str(config.get("class_name")).lower() in _CLASSES:
        config = dict(config, class_name=config["class_name"].lower())
    return deserialize_object(config, _CLASSES, custom_objects, "optimizer")


def get(identifier: Any) -> Any:
    """A Keras optimizer from a name ('adam', case-insensitive), a serialized dict, a Keras
    optimizer (itself) or a `flowgraph.train.Optimizer` (wrapped in a TFOptimizer)."""
    if isinstance(identifier, Optimizer):
        return identifier
    from flowgraph.train.optimizer import Optimizer as TrainOptimizer
    if isinstance(identifier, TrainOptimizer):
        return TFOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": str(identifier), "config": {}})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


from flowgraph.keras import optimizer_schedules as schedules  # noqa: E402,I001
from flowgraph.keras.optimizer_ftrl import Ftrl  # noqa: E402 - tf.keras.optimizers.Ftrl
_CLASSES["ftrl"] = Ftrl  # get("ftrl"), deserialize
__all__ += ["Ftrl", "schedules"]


def _is_schedule(value: Any) -> bool:
    """Whether `value` is a `schedules.LearningRateSchedule` (called with the step)."""
    return isinstance(value, schedules.LearningRateSchedule)
