"""A LinearClassifier on a small census-like table: numeric, bucketized, categorical and
crossed feature columns, string labels, and TF1's evaluation metrics.

Run: python examples/estimators/linear_classifier.py [--steps 300]
"""

import argparse
import tempfile

import numpy as np

import flowgraph as fg

EDUCATION = ["school", "college", "masters", "doctorate"]


def make_table(n: int, seed: int) -> tuple:
    """Income is high for the educated and for those who work long hours past 40."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n).astype(np.float32)
    hours = rng.integers(10, 70, n).astype(np.float32)
    education = rng.choice(EDUCATION, n)
    level = np.array([EDUCATION.index(e) for e in education])
    high = (level >= 2) | ((hours > 45) & (age > 40))
    income = np.where(high, b">50K", b"<=50K")
    features = {"age": age, "hours": hours,
                "education": np.char.encode(education)[:, None]}
    return features, income


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    fc = fg.feature_column
    age = fc.bucketized_column(fc.numeric_column("age"), [30.0, 40.0, 50.0, 60.0])
    hours = fc.bucketized_column(fc.numeric_column("hours"), [35.0, 45.0, 55.0])
    education = fc.categorical_column_with_vocabulary_list("education", EDUCATION)
    columns = [age, hours, education, fc.crossed_column([age, hours], hash_bucket_size=50)]

    estimator = fg.estimator.LinearClassifier(
        feature_columns=columns, label_vocabulary=["<=50K", ">50K"],
        model_dir=tempfile.mkdtemp(prefix="linear_classifier_"),
        config=fg.estimator.RunConfig(tf_random_seed=0, log_step_count_steps=None))
    train, train_labels = make_table(2000, seed=0)
    test, test_labels = make_table(500, seed=1)
    numpy_input_fn = fg.estimator.inputs.numpy_input_fn
    estimator.train(numpy_input_fn(train, train_labels, batch_size=100, shuffle=True,
                                   num_epochs=None), steps=args.steps)
    metrics = estimator.evaluate(numpy_input_fn(test, test_labels, batch_size=500,
                                                shuffle=False))
    for key in ("accuracy", "accuracy_baseline", "auc", "precision", "recall"):
        print(f"{key}: {metrics[key]:.3f}")
    weights = estimator.get_variable_value("linear/linear_model/education/weights")
    print("education weights:",
          ", ".join(f"{name} {float(w):+.2f}" for name, w in zip(EDUCATION, weights[:, 0])))
    first = {key: value[:3] for key, value in test.items()}
    for prediction in estimator.predict(numpy_input_fn(first, shuffle=False)):
        print(f"predicted {prediction['classes'][0]!r} "
              f"with probability {prediction['probabilities'].max():.2f}")


if __name__ == "__main__":
    main()
