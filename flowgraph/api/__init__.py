"""TF1's sub-namespaces (`fg.math`, `fg.linalg`, `fg.random`, `fg.strings`, `fg.sparse`,
`fg.initializers`, `fg.compat.v1`): each module re-exports builders defined in flowgraph.ops."""
