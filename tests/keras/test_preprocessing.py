"""tf.keras.preprocessing (sequence, text, image) against tf_keras outputs (hard-coded) and
hand / scipy computations."""

import json
import random
from hashlib import md5

import numpy as np
import pytest

from flowgraph.keras.preprocessing import image, sequence, text

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cat and dog: friends?"]


def test_pad_sequences_matches_tf_keras():
    seqs = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], []]
    got = sequence.pad_sequences(seqs)
    assert got.dtype == np.int32
    assert got.tolist() == [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [6, 7, 8, 9, 10],
                            [0, 0, 0, 0, 0]]
    got = sequence.pad_sequences(seqs, maxlen=4, padding="post", truncating="post", value=-1)
    assert got.tolist() == [[1, 2, 3, -1], [4, 5, -1, -1], [6, 7, 8, 9], [-1, -1, -1, -1]]
    got = sequence.pad_sequences([[1.5, 2.5], [3.5]], dtype="float32", maxlen=3)
    assert got.dtype == np.float32
    assert got.tolist() == [[0.0, 1.5, 2.5], [0.0, 0.0, 3.5]]
    assert sequence.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]]).tolist() == \
        [[[1, 2], [3, 4]], [[0, 0], [5, 6]]]
    assert sequence.pad_sequences([[1, 2, 3]], maxlen=2).tolist() == [[2, 3]]


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="Padding type"):
        sequence.pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="non-iterable"):
        sequence.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        sequence.pad_sequences([[1]], value="x")


def test_tokenizer_matches_tf_keras():
    t = text.Tokenizer(num_words=5, oov_token="<OOV>")
    t.fit_on_texts(TEXTS)
    assert t.word_index == {"<OOV>": 1, "the": 2, "cat": 3, "dog": 4, "sat": 5, "on": 6,
                            "mat": 7, "ate": 8, "my": 9, "homework": 10, "and": 11,
                            "friends": 12}
    assert dict(t.word_counts) == {"the": 3, "cat": 2, "sat": 1, "on": 1, "mat": 1, "dog": 2,
                                   "ate": 1, "my": 1, "homework": 1, "and": 1, "friends": 1}
    assert t.texts_to_sequences(TEXTS + ["a cat unknown dog"]) == \
        [[2, 3, 1, 1, 2, 1], [2, 4, 1, 1, 1], [3, 1, 4, 1], [1, 3, 1, 4]]
    assert t.sequences_to_texts([[1, 2, 3, 4, 5, 9]]) == ["<OOV> the cat dog <OOV> <OOV>"]
    config = json.loads(t.to_json())
    assert config["class_name"] == "Tokenizer"
    assert sorted(config["config"]) == ["char_level", "document_count", "filters",
                                        "index_docs", "index_word", "lower", "num_words",
                                        "oov_token", "split", "word_counts", "word_docs",
                                        "word_index"]
    back = text.tokenizer_from_json(t.to_json())
    assert back.texts_to_sequences(TEXTS) == t.texts_to_sequences(TEXTS)


def test_tokenizer_matrices_match_tf_keras():
    t = text.Tokenizer()
    t.fit_on_texts(TEXTS)
    docs = TEXTS[:2] + ["cat cat dog zebra"]
    want = {
        "binary": [[0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0], [0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0],
                   [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]],
        "count": [[0, 2, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0], [0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0],
                  [0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]],
        "tfidf": [[0, 1.1736, 0.693147, 0, 0.916291, 0.916291, 0.916291, 0, 0, 0, 0, 0],
                  [0, 0.693147, 0, 0.693147, 0, 0, 0, 0.916291, 0.916291, 0.916291, 0, 0],
                  [0, 0, 1.1736, 0.693147, 0, 0, 0, 0, 0, 0, 0, 0]],
        "freq": [[0, 0.333333, 0.166667, 0, 0.166667, 0.166667, 0.166667, 0, 0, 0, 0, 0],
                 [0, 0.2, 0, 0.2, 0, 0, 0, 0.2, 0.2, 0.2, 0, 0],
                 [0, 0, 0.666667, 0.333333, 0, 0, 0, 0, 0, 0, 0, 0]],
    }
    for mode, rows in want.items():
        np.testing.assert_allclose(t.texts_to_matrix(docs, mode=mode), rows, atol=1e-6)
    with pytest.raises(ValueError, match="vectorization mode"):
        t.texts_to_matrix(docs, mode="onehot")
    with pytest.raises(ValueError, match="num_words"):
        text.Tokenizer().texts_to_matrix(docs)


def test_char_level_word_sequence_and_hashing():
    t = text.Tokenizer(char_level=True)
    t.fit_on_texts(["abca", "bcd"])
    assert t.word_index == {"a": 1, "b": 2, "c": 3, "d": 4}
    assert t.texts_to_sequences(["dab"]) == [[4, 1, 2]]
    assert text.text_to_word_sequence("Hello, World!  it's  a-test") == \
        ["hello", "world", "it's", "a", "test"]
    words = ["the", "quick", "brown", "fox", "the"]
    assert text.hashing_trick(" ".join(words), 100, hash_function="md5") == [51, 13, 19, 11, 51]
    assert text.hashing_trick("the fox", 100, hash_function="md5") == \
        [int(md5(w.encode()).hexdigest(), 16) % 99 + 1 for w in ("the", "fox")]
    got = text.one_hot("a b a", 7)
    assert got[0] == got[2] and all(1 <= i < 7 for i in got)


def test_sampling_table_and_skipgrams_match_tf_keras():
    np.testing.assert_allclose(sequence.make_sampling_table(6, 1e-2),
                               [0.09968283, 0.09968283, 0.17316546, 0.23450073, 0.288658,
                                0.33786866], rtol=1e-6)
    random.seed(0)
    couples, labels = sequence.skipgrams([1, 2, 0, 3], 5, window_size=1, seed=7)
    assert (couples, labels) == ([[2, 1], [2, 1], [1, 2], [1, 4]], [0, 1, 1, 0])
    couples, labels = sequence.skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0,
                                         shuffle=False, categorical=True)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]
    assert labels == [[0, 1]] * 4


def test_timeseries_generator_matches_tf_keras():
    data = np.arange(10).reshape(10, 1)
    targets = np.arange(10) * 10
    g = sequence.TimeseriesGenerator(data, targets, length=3, stride=2, batch_size=2)
    got = [(a.tolist(), b.tolist()) for a, b in (g[i] for i in range(len(g)))]
    assert got == [([[[0], [1], [2]], [[2], [3], [4]]], [30, 50]),
                   ([[[4], [5], [6]], [[6], [7], [8]]], [70, 90])]
    g = sequence.TimeseriesGenerator(data, targets, length=4, sampling_rate=2, reverse=True,
                                     batch_size=3, start_index=1, end_index=8)
    got = [(a.tolist(), b.tolist()) for a, b in (g[i] for i in range(len(g)))]
    assert got == [([[[3], [1]], [[4], [2]], [[5], [3]]], [50, 60, 70]), ([[[6], [4]]], [80])]
    with pytest.raises(ValueError, match="same length"):
        sequence.TimeseriesGenerator(data, targets[:5], length=2)
    with pytest.raises(ValueError, match="disallowed"):
        sequence.TimeseriesGenerator(data, targets, length=12)


def test_random_transform_params_match_tf_keras_and_resampling_matches_scipy():
    from scipy import ndimage
    gen = image.ImageDataGenerator(rotation_range=30, width_shift_range=0.2,
                                   height_shift_range=0.1, shear_range=10, zoom_range=0.2,
                                   horizontal_flip=True, fill_mode="reflect")
    np.random.seed(5)
    p = gen.get_random_transform((5, 6, 1))
    want = {"theta": -16.68040973461563, "tx": 0.3707323061773764, "ty": -0.7038740271853766,
            "shear": 8.372218158758432, "zx": 0.9953644755179316, "zy": 1.0446975451610583}
    for key, value in want.items():
        np.testing.assert_allclose(p[key], value, rtol=1e-12)
    assert not p["flip_horizontal"] and not p["flip_vertical"]
    # keras-preprocessing 1.1.0's composition (TF 1.15): rotation . shift . shear . zoom
    # about the image centre, then
    # scipy.ndimage.affine_transform(order=1) per channel
    x = np.arange(5 * 6, dtype=np.float32).reshape(5, 6, 1)
    th, sh = np.deg2rad(p["theta"]), np.deg2rad(p["shear"])
    m = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
    m = m @ np.array([[1, 0, p["tx"]], [0, 1, p["ty"]], [0, 0, 1]])
    m = m @ np.array([[1, -np.sin(sh), 0], [0, np.cos(sh), 0], [0, 0, 1]])
    m = m @ np.diag([p["zx"], p["zy"], 1])
    o = np.array([[1, 0, 3.0], [0, 1, 3.5], [0, 0, 1]])
    r = np.array([[1, 0, -3.0], [0, 1, -3.5], [0, 0, 1]])
    m = o @ m @ r
    ref = ndimage.affine_transform(x[..., 0], m[:2, :2], m[:2, 2], order=1, mode="reflect")
    np.testing.assert_allclose(gen.apply_transform(x, p)[..., 0], ref, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("mode", ["constant", "nearest", "reflect", "wrap"])
def test_affine_fill_modes_match_scipy(mode):
    from scipy import ndimage
    rng = np.random.RandomState(2)
    x = rng.rand(6, 7, 2)
    for _ in range(5):
        theta, shear = rng.uniform(-40, 40, 2)
        tx, ty = rng.uniform(-3, 3, 2)
        got = image.apply_affine_transform(x, theta=theta, tx=tx, ty=ty, shear=shear,
                                           zx=1.2, zy=0.8, fill_mode=mode, cval=-2.0)
        th, sh = np.deg2rad(theta), np.deg2rad(shear)
        m = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]])
        m = m @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        m = m @ np.array([[1, -np.sin(sh), 0], [0, np.cos(sh), 0], [0, 0, 1]])
        m = m @ np.diag([1.2, 0.8, 1])
        m = np.array([[1, 0, 3.5], [0, 1, 4.0], [0, 0, 1]]) @ m @ \
            np.array([[1, 0, -3.5], [0, 1, -4.0], [0, 0, 1]])
        for c in range(2):
            ref = ndimage.affine_transform(x[..., c], m[:2, :2], m[:2, 2], order=1,
                                           mode=mode, cval=-2.0)
            np.testing.assert_allclose(got[..., c], ref, atol=1e-9)


def test_integer_shift_and_flips_by_hand():
    x = np.arange(4 * 5, dtype=np.float64).reshape(4, 5, 1)
    # tx = +1 row: output row r reads input row r + 1; the last row repeats ('nearest')
    got = image.apply_affine_transform(x, tx=1, row_axis=0, col_axis=1, channel_axis=2)
    want = np.concatenate([x[1:], x[-1:]], axis=0)
    np.testing.assert_allclose(got, want)
    got = image.apply_affine_transform(x, ty=-2, fill_mode="constant", cval=7.)
    want = np.full_like(x, 7.)
    want[:, 2:] = x[:, :3]
    np.testing.assert_allclose(got, want)
    gen = image.ImageDataGenerator(horizontal_flip=True, vertical_flip=True)
    both = gen.apply_transform(x, {"flip_horizontal": True, "flip_vertical": True})
    np.testing.assert_allclose(both, x[::-1, ::-1])
    np.testing.assert_allclose(gen.apply_transform(x, {"flip_horizontal": True}), x[:, ::-1])


def test_flow_matches_tf_keras_shift_and_rescale():
    # tf_keras draws the same batch order [1, 0] from seed 3 and, for width_shift_range=2
    # (whole pixels), no shift for the first image and a 1-pixel shift for the second (output
    # pixel reads input pixel + 1). tf_keras applies it along the rows (keras-preprocessing
    # >= 1.1.1's axis swap, tf-keras issue #310); TF 1.15's keras-preprocessing 1.1.0 shifts
    # the columns, as flowgraph does. Rescaled by 0.5.
    x = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6, 1)
    gen = image.ImageDataGenerator(width_shift_range=2, rescale=0.5)
    bx, by = gen.flow(x, np.array([0, 1]), batch_size=2, shuffle=True, seed=3)[0]
    assert by.tolist() == [1, 0]
    np.testing.assert_allclose(bx[0], x[1] * 0.5)
    shifted = np.concatenate([x[0][:, 1:], x[0][:, -1:]], axis=1)  # ty = +1 column
    np.testing.assert_allclose(bx[1], shifted * 0.5)


def test_featurewise_and_samplewise_normalization():
    rng = np.random.RandomState(0)
    x = rng.rand(8, 3, 4, 3).astype(np.float32) * 10
    gen = image.ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
    gen.fit(x)
    mean = x.mean(axis=(0, 1, 2))
    std = x.std(axis=(0, 1, 2))
    np.testing.assert_allclose(gen.mean.reshape(3), mean, rtol=1e-5)
    np.testing.assert_allclose(gen.std.reshape(3), std, rtol=1e-4)
    batch = gen.flow(x, batch_size=8, shuffle=False)[0]
    np.testing.assert_allclose(batch, (x - mean) / (std + 1e-6), rtol=1e-4, atol=1e-5)
    gen = image.ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True)
    batch = gen.flow(x, batch_size=8, shuffle=False)[0]
    for got, img in zip(batch, x):
        np.testing.assert_allclose(got, (img - img.mean()) / (img.std() + 1e-6), rtol=1e-4,
                                   atol=1e-5)


def test_flow_validation_split_subsets_and_errors():
    x = np.arange(10 * 2 * 2, dtype=np.float32).reshape(10, 2, 2, 1)
    y = np.array([0, 1] * 5)
    gen = image.ImageDataGenerator(validation_split=0.2)
    val = gen.flow(x, y, batch_size=10, shuffle=False, subset="validation")[0]
    train = gen.flow(x, y, batch_size=10, shuffle=False, subset="training")[0]
    np.testing.assert_allclose(val[0], x[:2])
    np.testing.assert_allclose(train[0], x[2:])
    assert train[1].tolist() == y[2:].tolist()
    with pytest.raises(ValueError, match="rank 4"):
        gen.flow(x[0])
    with pytest.raises(ValueError, match="same length"):
        gen.flow(x, y[:3])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="Invalid subset"):
        gen.flow(x, y, subset="test")


def test_flow_as_sequence_on_epoch_end_reshuffles():
    x = np.arange(6, dtype=np.float32).reshape(6, 1, 1, 1)
    it = image.ImageDataGenerator().flow(x, batch_size=6, shuffle=True, seed=1)
    np.random.seed(0)
    first = it[0].ravel().tolist()
    assert sorted(first) == [0, 1, 2, 3, 4, 5]
    assert it[0].ravel().tolist() == first  # same epoch, same order
    it.on_epoch_end()
    assert sorted(it[0].ravel().tolist()) == [0, 1, 2, 3, 4, 5]
    assert len(image.ImageDataGenerator().flow(x, batch_size=4)) == 2
