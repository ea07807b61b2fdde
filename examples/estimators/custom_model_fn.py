"""A custom model_fn with fg.estimator: an MLP classifier for the embedded MNIST digits.

The same model_fn serves training, evaluation, prediction and export: the Estimator calls
it in each mode and runs what it returns. Training resumes from model_dir's latest
checkpoint, so running the script twice with the same --model-dir trains further.

Run: python examples/estimators/custom_model_fn.py [--steps 300] [--model-dir DIR]
"""

import argparse
import os
import tempfile

import numpy as np

import flowgraph as fg


def model_fn(features, labels, mode, params):
    """Two dense layers; softmax cross-entropy; Adam; accuracy as an eval metric."""
    hidden = fg.layers.dense(features["image"], params["hidden_units"], activation=fg.nn.relu)
    logits = fg.layers.dense(hidden, 10)
    classes = fg.argmax(logits, axis=1)
    predictions = {"class_ids": classes, "probabilities": fg.nn.softmax(logits)}
    if mode == fg.estimator.ModeKeys.PREDICT:
        return fg.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = fg.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == fg.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": fg.metrics.accuracy(labels=labels, predictions=classes)}
        return fg.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    optimizer = fg.train.AdamOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=fg.train.get_global_step())
    return fg.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps")
    parser.add_argument("--model-dir", default=None, help="checkpoints and summaries")
    args = parser.parse_args()
    model_dir = args.model_dir or tempfile.mkdtemp(prefix="custom_model_fn_")

    (x_train, y_train), (x_test, y_test) = fg.datasets.mnist.load_embedded(flatten=True,
                                                                          normalize=True)
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    config = fg.estimator.RunConfig(save_checkpoints_steps=100, log_step_count_steps=100,
                                    tf_random_seed=0)
    estimator = fg.estimator.Estimator(model_fn, model_dir=model_dir, config=config,
                                       params={"hidden_units": 128, "learning_rate": 1e-3})

    train_input = fg.estimator.inputs.numpy_input_fn({"image": x_train}, y_train,
                                                     batch_size=100, num_epochs=None,
                                                     shuffle=True)
    estimator.train(train_input, steps=args.steps)
    print(f"trained to global step {estimator.get_variable_value('global_step')} "
          f"(checkpoints in {model_dir})")

    test_input = fg.estimator.inputs.numpy_input_fn({"image": x_test}, y_test, batch_size=250,
                                                    shuffle=False)
    results = estimator.evaluate(test_input)
    print(f"test loss: {results['loss']:.4f}")
    print(f"test accuracy: {100 * results['accuracy']:.2f}%")

    first = fg.estimator.inputs.numpy_input_fn({"image": x_test[:8]}, shuffle=False)
    predicted = [int(p["class_ids"]) for p in estimator.predict(first)]
    print(f"predicted {predicted}, true {[int(c) for c in y_test[:8]]}")

    # Export for serving, then load the saved model without this script's code.
    serving_fn = fg.estimator.export.build_raw_serving_input_receiver_fn(
        {"image": fg.placeholder(fg.float32, [None, 784])})
    export_dir = os.fsdecode(estimator.export_saved_model(os.path.join(model_dir, "export"),
                                                          serving_fn))
    with fg.Session(graph=fg.Graph()) as sess:
        meta = fg.saved_model.load(sess, [fg.saved_model.SERVING], export_dir)
        signature = meta.signature_def["serving_default"]
        served = sess.run(signature.outputs["class_ids"].name,
                          {signature.inputs["image"].name: x_test[:8]}).tolist()
    print(f"saved model in {export_dir} predicts {served}")
    if served != predicted:
        raise SystemExit("the exported model should predict what the Estimator predicts")


if __name__ == "__main__":
    main()
