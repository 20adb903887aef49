"""Datasets: shapes, standardization, determinism, and files that fail loudly."""

import random

import numpy as np
import pytest

from landscape.base.io import DataFileError
from landscape.engine.data import (
    load_dataset,
    make_digits,
    make_mnist1d,
    make_teacher_student,
    save_dataset,
)


def test_digits_standardized_and_stratified():
    ds = make_digits(test_fraction=0.2, seed=0)
    assert ds.x_train.shape == (1437, 64) and ds.x_test.shape == (360, 64)
    assert ds.task == "classification" and ds.output_dim == 10
    np.testing.assert_allclose(ds.x_train.mean(axis=0), 0.0, atol=1e-12)
    std = ds.x_train.std(axis=0)
    assert np.all((np.abs(std - 1) < 1e-12) | (std == 0))
    counts = np.bincount(ds.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # about 36 per class
    full = make_digits(test_fraction=0.0)
    assert full.x_train.shape == (1797, 64) and len(full.x_test) == 0


def test_mnist1d_is_procedural_seeded_and_side_effect_free():
    np.random.seed(123)
    random.seed(123)
    before = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    a = make_mnist1d(num_samples=200, train_split=0.8, seed=3)
    assert (np.random.random(), random.random()) == before  # global generators restored
    b = make_mnist1d(num_samples=200, train_split=0.8, seed=3)
    c = make_mnist1d(num_samples=200, train_split=0.8, seed=4)
    assert a.x_train.shape == (160, 40) and a.x_test.shape == (40, 40)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert set(np.unique(a.y_train)) <= set(range(10))


def test_teacher_student_labels_follow_the_teacher():
    ds = make_teacher_student(n_train=50, n_test=10, input_dim=5, teacher_hidden=3, seed=7)
    again = make_teacher_student(n_train=50, n_test=10, input_dim=5, teacher_hidden=3, seed=7)
    assert np.array_equal(ds.y_train, again.y_train)
    rng = np.random.default_rng(7)
    w = rng.normal(0, 1 / np.sqrt(5), size=(3, 5))
    v = rng.normal(0, 1 / np.sqrt(3), size=(1, 3))
    np.testing.assert_allclose(ds.y_train, np.maximum(ds.x_train @ w.T, 0) @ v.T, rtol=1e-13)
    noisy = make_teacher_student(n_train=50, n_test=10, noise_std=0.5, seed=7)
    assert ds.task == "regression" and not np.array_equal(noisy.y_train, ds.y_train)


def test_roundtrip_and_damaged_files(tmp_path):
    ds = make_teacher_student(n_train=20, n_test=5)
    path = tmp_path / "ts.npz"
    save_dataset(ds, path)
    back = load_dataset(path)
    assert back.name == ds.name and back.task == ds.task
    assert np.array_equal(back.x_train, ds.x_train) and np.array_equal(back.y_test, ds.y_test)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataFileError, match="truncated.npz"):
        load_dataset(truncated)
    incomplete = tmp_path / "incomplete.npz"
    np.savez(incomplete, x_train=ds.x_train)
    with pytest.raises(DataFileError, match="incomplete.npz.*lacks fields"):
        load_dataset(incomplete)
    with pytest.raises(DataFileError, match="missing.npz"):
        load_dataset(tmp_path / "missing.npz")
