"""`pandas_input_fn`: an input_fn over a pandas DataFrame, as TF1's
`tf.estimator.inputs.pandas_input_fn` (needs pandas: ``pip install pandas``)."""

from collections import OrderedDict
from typing import Any, Callable, Optional

import numpy as np

from flowgraph.estimator.inputs.feeding import check_shuffle, enqueue_data, unique_target_key

__all__ = ["pandas_input_fn"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("pandas_input_fn needs the pandas package: pip install pandas "
                          f"({exc})") from exc
    return pandas


def pandas_input_fn(x: Any, y: Any = None, batch_size: int = 128,
                    num_epochs: Optional[int] = 1, shuffle: Optional[bool] = None,
                    queue_capacity: Optional[int] = 1000, num_threads: int = 1,
                    target_column: str = "target") -> Callable:
    """An input_fn giving batches of the columns of DataFrame `x` (a dict of tensors by
    column name) and of `y` (a Series -> a tensor, a DataFrame -> a dict).

    Parameters
    ----------
    x : pandas.DataFrame
    y : pandas.Series or pandas.DataFrame, optional
        Must have the same index as `x`.
    batch_size, num_epochs, shuffle, queue_capacity, num_threads
        As `numpy_input_fn` (`shuffle` is required).
    target_column : str
        The name `y` is carried under inside the pipeline; must not be a column of `x`.
    """
    pd = _pandas()
    check_shuffle(shuffle)
    if not isinstance(target_column, str):
        raise TypeError("target_column must be a string type")
    x = x.copy()
    y_columns = None
    if y is not None:
        if target_column in x:
            raise ValueError(f"Cannot use name {target_column} for target column: DataFrame "
                             f"already has a column with that name: {x.columns}")
        if not np.array_equal(x.index, y.index):
            raise ValueError(f"Index for x and y are mismatched.\nIndex for x: {x.index}\n"
                             f"Index for y: {y.index}\n")
        if isinstance(y, pd.DataFrame):
            y_columns = [(column, unique_target_key(x, column)) for column in list(y)]
            target_column = [v for _, v in y_columns]
            for (column, key) in y_columns:
                x[key] = y[column].values
        else:
            x[target_column] = np.asarray(y)
    if queue_capacity is None:
        queue_capacity = 4 * len(x) if shuffle else len(x)
    columns = list(x.columns)

    def input_fn() -> Any:
        data = OrderedDict((column, x[column].values) for column in columns)
        features = enqueue_data(data, batch_size, num_epochs, shuffle, queue_capacity)
        features = {column: features[column] for column in columns}
        if y is None:
            return features
        if isinstance(target_column, list):
            target = {k: features.pop(column)
                      for (k, _), column in zip(y_columns, target_column)}
        else:
            target = features.pop(target_column)
        return features, target

    return input_fn
