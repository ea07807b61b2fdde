"""A tf.keras functional-API CNN with a callback, then the trained layers reused on a new
input (TF1 graph-mode Keras)."""
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

tf.app.flags.DEFINE_string("data_dir", "/tmp/data/", "MNIST folder")
tf.app.flags.DEFINE_integer("epochs", 2, "training epochs")
FLAGS = tf.app.flags.FLAGS


def main(argv):
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True, reshape=False,
                                      validation_size=0)
    tf.set_random_seed(2)
    inputs = tf.keras.Input(shape=(28, 28, 1))
    x = tf.keras.layers.Conv2D(16, (5, 5), padding='same', activation='relu')(inputs)
    x = tf.keras.layers.MaxPooling2D((2, 2))(x)
    x = tf.keras.layers.Conv2D(32, 3, activation='relu')(x)
    x = tf.keras.layers.MaxPooling2D()(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(64, activation='relu')(x)
    outputs = tf.keras.layers.Dense(10, activation='softmax')(x)
    model = tf.keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=tf.keras.optimizers.Adam(lr=0.001),
                  loss='categorical_crossentropy', metrics=['acc'])
    seen = []
    log_epochs = tf.keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(epoch))
    history = model.fit(mnist.train.images, mnist.train.labels, batch_size=64,
                        epochs=FLAGS.epochs, verbose=0, callbacks=[log_epochs],
                        validation_data=(mnist.test.images, mnist.test.labels))
    print("METRIC epochs_seen %d" % len(seen))
    print("METRIC val_acc %f" % history.history['val_acc'][-1])
    # the trained model as a layer on a new placeholder, run in the Keras session
    images = tf.placeholder(tf.float32, [None, 28, 28, 1])
    probabilities = model(images)
    sess = tf.keras.backend.get_session()
    predicted = sess.run(tf.argmax(probabilities, 1), {images: mnist.test.images})
    accuracy = (predicted == mnist.test.labels.argmax(1)).mean()
    print("METRIC reused_accuracy %f" % accuracy)
    print("METRIC params %d" % model.count_params())


if __name__ == '__main__':
    tf.app.run()
