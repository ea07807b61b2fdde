"""`fg.distributions`: TF 1.15's `tf.distributions` (tf.compat.v1.distributions).

Probability distributions whose samples, densities and statistics are graph tensors
built from flowgraph ops (so they run in a Session and differentiate), and the KL
divergence registry.
"""

from flowgraph.distributions.bernoulli import Bernoulli
from flowgraph.distributions.beta import Beta
from flowgraph.distributions.categorical import Categorical
from flowgraph.distributions.dirichlet import Dirichlet
from flowgraph.distributions.dirichlet_multinomial import DirichletMultinomial
from flowgraph.distributions.distribution import (
                                                  FULLY_REPARAMETERIZED,
                                                  NOT_REPARAMETERIZED,
                                                  Distribution,
                                                  ReparameterizationType,
)
from flowgraph.distributions.gamma import Exponential, Gamma
from flowgraph.distributions.kullback_leibler import RegisterKL, kl_divergence
from flowgraph.distributions.laplace import Laplace
from flowgraph.distributions.multinomial import Multinomial
from flowgraph.distributions.normal import Normal
from flowgraph.distributions.student_t import StudentT
from flowgraph.distributions.uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "DirichletMultinomial",
           "Distribution", "Exponential", "FULLY_REPARAMETERIZED", "Gamma", "Laplace",
           "Multinomial", "NOT_REPARAMETERIZED", "Normal", "RegisterKL",
           "ReparameterizationType", "StudentT", "Uniform", "kl_divergence"]
