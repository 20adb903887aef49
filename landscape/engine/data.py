"""Datasets that need no download.

* ``digits``: sklearn's bundled 8x8 digits, standardized with the training split's statistics.
* ``mnist1d``: MNIST-1D (Greydanus 2020), generated procedurally by the ``mnist1d`` package.
* ``teacher_student``: Gaussian inputs labelled by a random one-hidden-layer teacher.

Every dataset is a :class:`Dataset` of float64 arrays, saved as one ``.npz`` file.
"""

from __future__ import annotations

import math
import os
import zipfile
from dataclasses import dataclass

import numpy as np

from landscape.base.io import DataFileError, atomic_path

TASKS = ("classification", "regression")
DIGITS_IMAGES = 1797  # sklearn's bundled digits: 1,797 images of 8 x 8 pixels
CLASSES = 10  # classes of digits and of MNIST-1D
# Input sides that pooling divides: digits are 8 x 8 images (pooled per side), MNIST-1D
# sequences have 40 samples (pooled along the sequence).
POOL_SIDES = {"digits": 8, "mnist1d": 40}


@dataclass(frozen=True)
class Dataset:
    """A train/test split held in memory.

    Attributes:
        name: Short name (``digits``, ``mnist1d``, ``teacher_student``).
        task: ``classification`` (integer labels in ``y``) or ``regression`` (float targets).
        x_train: Inputs, shape (n_train, d_in), float64.
        y_train: Labels (n_train,) int64 for classification, targets (n_train, d_out) float64.
        x_test: Inputs, shape (n_test, d_in), float64.
        y_test: As ``y_train`` for the test split.
    """

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def input_dim(self) -> int:
        """Number of input features."""
        return self.x_train.shape[1]

    @property
    def output_dim(self) -> int:
        """Number of network outputs: classes for classification, targets for regression."""
        if self.task == "classification":
            return int(max(self.y_train.max(), self.y_test.max(initial=0))) + 1
        return self.y_train.shape[1]


def make_digits(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """Sklearn's digits, split stratified by class and standardized per pixel.

    Pixels are centred and scaled with the training split's mean and standard deviation; pixels
    that are constant in the training split (std 0) are only centred.

    Args:
        test_fraction: Fraction held out for testing (0 keeps every image for training).
        seed: Seed of the split.

    Returns:
        The dataset (1,797 images of 64 pixels, 10 classes).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    x = x.astype(np.float64)
    y = y.astype(np.int64)
    if test_fraction > 0:
        x_tr, x_te, y_tr, y_te = train_test_split(
            x, y, test_size=test_fraction, random_state=seed, stratify=y
        )
    else:
        x_tr, y_tr, x_te, y_te = x, y, x[:0], y[:0]
    mean = x_tr.mean(axis=0)
    std = x_tr.std(axis=0)
    std[std == 0] = 1.0
    return Dataset("digits", "classification", (x_tr - mean) / std, y_tr, (x_te - mean) / std, y_te)


def make_mnist1d(num_samples: int = 5000, train_split: float = 0.8, seed: int = 42) -> Dataset:
    """MNIST-1D sequences of length 40, generated procedurally (never downloaded).

    The ``mnist1d`` package seeds numpy's and Python's global generators from ``seed``; the global
    state is restored afterwards so that the call has no side effect.

    Args:
        num_samples: Total number of sequences (rounded down to a multiple of 10 by the package).
        train_split: Fraction used for training.
        seed: Generator seed; 42 with 5,000 samples reproduces the package's reference data.

    Returns:
        The dataset (40 features, 10 classes), already centred and scaled by the package.
    """
    import random

    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = num_samples
    args.train_split = train_split
    args.seed = seed
    # The package draws from the legacy global generator; save and restore it.
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        raw = make_dataset(args)
    finally:
        np.random.set_state(np_state)  # noqa: NPY002
        random.setstate(py_state)
    return Dataset(
        "mnist1d",
        "classification",
        np.asarray(raw["x"], dtype=np.float64),
        np.asarray(raw["y"], dtype=np.int64),
        np.asarray(raw["x_test"], dtype=np.float64),
        np.asarray(raw["y_test"], dtype=np.int64),
    )


def split_sizes(name: str, options: dict) -> tuple[int, int]:
    """(training, test) sample counts of ``make_dataset(name, **options)``, without building it.

    * digits: scikit-learn's ``train_test_split`` holds out ``ceil(f * 1797)`` images for a
      test fraction f > 0 (``sklearn.model_selection._split._validate_shuffle_split``); f = 0
      holds out none. Its stratified split also needs at least :data:`CLASSES` in each part.
    * mnist1d: the package makes ``num_samples // 10`` sequences per class and trains on the
      first ``int(n * train_split)`` of the n (``mnist1d.data.make_dataset``).
    * teacher_student: ``n_train`` and ``n_test``.

    Args:
        name: One of :data:`MAKERS`.
        options: Its config section ``data.<name>`` (validated, defaults filled in).

    Returns:
        (training samples, test samples).
    """
    if name == "digits":
        f = options["test_fraction"]
        test = math.ceil(f * DIGITS_IMAGES) if f > 0 else 0
        return DIGITS_IMAGES - test, test
    if name == "mnist1d":
        total = CLASSES * (options["num_samples"] // CLASSES)
        train = int(total * options["train_split"])
        return train, total - train
    if name == "teacher_student":
        return options["n_train"], options["n_test"]
    raise ValueError(f"unknown dataset '{name}' (known: {', '.join(MAKERS)})")


def _activation_np(name: str, z: np.ndarray) -> np.ndarray:
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "linear":
        return z
    raise ValueError(f"unknown activation '{name}' (use tanh, relu or linear)")


def make_teacher_student(
    n_train: int = 1000,
    n_test: int = 1000,
    input_dim: int = 16,
    teacher_hidden: int = 4,
    output_dim: int = 1,
    activation: str = "relu",
    noise_std: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """Gaussian inputs labelled by a random one-hidden-layer teacher.

    x ~ N(0, I_d); the teacher is y = V sigma(W x) + noise with W ~ N(0, 1/d) of shape
    (teacher_hidden, d), V ~ N(0, 1/teacher_hidden) of shape (output_dim, teacher_hidden) and
    noise ~ N(0, noise_std^2), all drawn from one generator seeded by ``seed``.

    Args:
        n_train: Training samples.
        n_test: Test samples.
        input_dim: Input dimension d.
        teacher_hidden: Hidden width of the teacher.
        output_dim: Output dimension.
        activation: ``tanh``, ``relu`` or ``linear``.
        noise_std: Label-noise standard deviation.
        seed: Seed of every draw.

    Returns:
        A regression dataset.
    """
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 1.0 / np.sqrt(input_dim), size=(teacher_hidden, input_dim))
    v = rng.normal(0.0, 1.0 / np.sqrt(teacher_hidden), size=(output_dim, teacher_hidden))
    x = rng.normal(size=(n_train + n_test, input_dim))  # (n, d)
    y = _activation_np(activation, x @ w.T) @ v.T  # (n, d_out)
    y = y + noise_std * rng.normal(size=y.shape)
    return Dataset(
        "teacher_student", "regression", x[:n_train], y[:n_train], x[n_train:], y[n_train:]
    )


MAKERS = {"digits": make_digits, "mnist1d": make_mnist1d, "teacher_student": make_teacher_student}


def make_dataset(name: str, **options) -> Dataset:
    """Build the dataset ``name`` with the options of its config section.

    Args:
        name: One of :data:`MAKERS`.
        **options: Keyword arguments of the maker (the config's ``data.<name>`` section).

    Returns:
        The dataset.
    """
    if name not in MAKERS:
        raise ValueError(f"unknown dataset '{name}' (known: {', '.join(MAKERS)})")
    return MAKERS[name](**options)


_FIELDS = ("x_train", "y_train", "x_test", "y_test")


def save_dataset(ds: Dataset, path: str | os.PathLike) -> None:
    """Write ``ds`` to an ``.npz`` file atomically.

    Args:
        ds: The dataset.
        path: Destination.
    """
    with atomic_path(path) as tmp:
        np.savez(tmp, name=ds.name, task=ds.task, **{f: getattr(ds, f) for f in _FIELDS})


def load_dataset(path: str | os.PathLike) -> Dataset:
    """Read a dataset written by :func:`save_dataset`, checking its fields.

    Args:
        path: The ``.npz`` file.

    Returns:
        The dataset.

    Raises:
        DataFileError: Naming the file when it is missing, truncated, or malformed.
    """
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [f for f in ("name", "task", *_FIELDS) if f not in z.files]
            if missing:
                raise DataFileError(f"{path}: dataset file lacks fields {missing}")
            arrays = {f: z[f] for f in _FIELDS}
            name, task = str(z["name"]), str(z["task"])
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise DataFileError(f"{path}: cannot read dataset ({exc})") from exc
    if task not in TASKS:
        raise DataFileError(f"{path}: unknown task '{task}'")
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 2 or len(x) != len(y):
            raise DataFileError(f"{path}: x_{split} {x.shape} and y_{split} {y.shape} disagree")
    if not np.isfinite(arrays["x_train"]).all():
        raise DataFileError(f"{path}: x_train holds non-finite values")
    return Dataset(name, task, **arrays)
