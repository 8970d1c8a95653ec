"""Tests for code/training/data_pipelines.py (page: docs/training/data-pipelines.md).

The from-scratch loader gives the same batches as torch.utils.data.DataLoader (in order, with drop_last, and
when replaying torch's shuffled order); its collate equals torch's default_collate; shuffling is reproducible
and covers every example once per epoch; the stratified split keeps each class's share to within rounding;
the scalers equal scikit-learn's and see only the training rows; one-hot and index labels convert both ways
like F.one_hot; bad input raises an error that names what was expected; the pitfalls and the exercise
solutions show what the page says they show.
"""
import re
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from torch.utils.data import DataLoader, TensorDataset, default_collate

import data_pipelines as dp

TOL = 1e-12


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def batches_equal(ours, theirs):
    """Same number of batches, and each field of each batch equal in value and dtype."""
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert len(o) == len(t)
        for a, b in zip(o, t):
            assert a.dtype == b.numpy().dtype and np.array_equal(a, b.numpy())
    return True


def index_order(N, seed, **kwargs):
    """The order a shuffled torch DataLoader with generator seed `seed` visits range(N), read from it."""
    loader = DataLoader(np.arange(N), shuffle=True, generator=torch.Generator().manual_seed(seed), **kwargs)
    return torch.cat(list(loader)).tolist()


# ---------------------------------------------------------------- Dataset

def test_array_dataset_is_a_map_style_dataset(digits):
    X, y = digits
    ds = dp.ArrayDataset(X, y)
    assert len(ds) == 1797
    x, label = ds[5]
    assert np.array_equal(x, X[5]) and label == y[5]
    doubled = dp.ArrayDataset(X, y, transform=lambda x: 2 * x)
    assert np.array_equal(doubled[5][0], 2 * X[5])


def test_torch_dataloader_accepts_the_plain_class(digits):
    X, y = digits
    X_b, y_b = next(iter(DataLoader(dp.ArrayDataset(X, y), batch_size=8)))
    assert X_b.shape == (8, 64) and X_b.dtype == torch.float64 and y_b.dtype == torch.int64
    assert np.array_equal(X_b.numpy(), X[:8]) and np.array_equal(y_b.numpy(), y[:8])


def test_dataset_refuses_x_and_y_of_different_lengths(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"same number of examples N, got 1797 and 1796"):
        dp.ArrayDataset(X, y[:-1])


# ---------------------------------------------------------------- DataLoader: equal to PyTorch

@pytest.mark.parametrize("N, B", [(10, 4), (12, 4), (3, 5), (100, 16), (1, 1)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_in_order_batches_equal_torch(digits, N, B, drop_last):
    X, y = digits
    ds = dp.ArrayDataset(X[:N], y[:N])
    ours = dp.SimpleDataLoader(ds, batch_size=B, drop_last=drop_last)
    theirs = DataLoader(ds, batch_size=B, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert batches_equal(ours, theirs)


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("drop_last", [False, True])
def test_replaying_torchs_shuffled_order_gives_torchs_batches(digits, seed, drop_last):
    X, y = digits
    ds = dp.ArrayDataset(X[:100], y[:100])
    theirs = DataLoader(ds, batch_size=16, shuffle=True, drop_last=drop_last,
                        generator=torch.Generator().manual_seed(seed))
    order = index_order(100, seed)
    assert sorted(order) == list(range(100)) and order != list(range(100))
    assert batches_equal(dp.SimpleDataLoader(ds, batch_size=16, sampler=order, drop_last=drop_last), theirs)


def test_a_different_order_gives_different_batches(digits):
    # the replay test above can fail: a wrong order gives different batches
    X, y = digits
    ds = dp.ArrayDataset(X[:100], y[:100])
    theirs = DataLoader(ds, batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    with pytest.raises(AssertionError):
        batches_equal(dp.SimpleDataLoader(ds, batch_size=16, sampler=index_order(100, 1)), theirs)


def test_our_shuffle_covers_every_example_once_and_is_reproducible():
    ds = dp.toy_dataset(23)
    loader = dp.SimpleDataLoader(ds, batch_size=5, shuffle=True, seed=3)
    epoch1, epoch2 = dp._rows(loader), dp._rows(loader)
    for epoch in (epoch1, epoch2):
        assert sorted(sum(epoch, [])) == list(range(23)) and [len(b) for b in epoch] == [5, 5, 5, 5, 3]
    assert epoch1 != epoch2                                           # a new order every epoch
    again = dp.SimpleDataLoader(ds, batch_size=5, shuffle=True, seed=3)
    assert dp._rows(again) == epoch1 and dp._rows(again) == epoch2    # same seed, same sequence of epochs
    assert dp._rows(dp.SimpleDataLoader(ds, batch_size=5, shuffle=True, seed=4)) != epoch1


def test_our_shuffle_is_the_numpy_permutation():
    order = sum(dp._rows(dp.SimpleDataLoader(dp.toy_dataset(10), batch_size=4, shuffle=True, seed=0)), [])
    assert order == np.random.default_rng(0).permutation(10).tolist()


def test_torch_generator_makes_shuffling_reproducible(digits):
    X, y = digits
    ds = TensorDataset(torch.as_tensor(X[:64]), torch.as_tensor(y[:64]))
    make = lambda: DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(5))  # noqa: E731
    a, b = make(), make()
    first_a, first_b = [y_b for _, y_b in a], [y_b for _, y_b in b]
    assert all(torch.equal(u, v) for u, v in zip(first_a, first_b))
    second_a = [y_b for _, y_b in a]                                  # the generator has moved on
    assert not all(torch.equal(u, v) for u, v in zip(first_a, second_a))


def test_order_does_not_depend_on_num_workers(digits):
    X, y = digits
    ds = TensorDataset(torch.as_tensor(X[:40]), torch.as_tensor(y[:40]))
    loaders = [DataLoader(ds, batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(2),
                          num_workers=w, **({"multiprocessing_context": "fork"} if w else {})) for w in (0, 2)]
    if sys.platform != "linux":
        pytest.skip("fork start method")
    zero, two = ([y_b for _, y_b in loader] for loader in loaders)
    assert all(torch.equal(u, v) for u, v in zip(zero, two))


@pytest.mark.parametrize("N, B, drop_last", [(1797, 32, False), (1797, 32, True), (64, 32, True),
                                             (5, 10, False), (5, 10, True), (33, 32, False)])
def test_num_batches_equals_len_of_torch_loader(N, B, drop_last):
    assert dp.num_batches(N, B, drop_last) == len(DataLoader(range(N), batch_size=B, drop_last=drop_last))
    batches = dp.batch_sampler(range(N), B, drop_last)
    assert len(batches) == dp.num_batches(N, B, drop_last)
    assert len(sum(batches, [])) == (N - N % B if drop_last else N)   # drop_last leaves out N mod B


def test_exercise_batch_count_for_all_small_cases():
    for N in range(1, 40):
        for B in range(1, 12):
            assert dp.num_batches(N, B) == int(np.ceil(N / B)) == len(DataLoader(range(N), batch_size=B))
            assert dp.num_batches(N, B, True) == N // B


@pytest.mark.parametrize("B", [0, -2, 2.0, "4"])
def test_bad_batch_size_raises(B):
    with pytest.raises(ValueError, match="batch size B must be an integer >= 1"):
        dp.batch_sampler(range(10), B)


def test_shuffle_and_sampler_together_raise():
    with pytest.raises(ValueError, match="shuffle=True or a sampler, not both"):
        dp.SimpleDataLoader(dp.toy_dataset(), shuffle=True, sampler=[0, 1])


# ---------------------------------------------------------------- collate

def test_default_collate_equals_torch_for_tuples_of_arrays_and_numbers():
    rng = np.random.default_rng(0)
    samples = [(rng.normal(size=(2, 3)), int(rng.integers(10)), float(rng.normal())) for _ in range(4)]
    ours, theirs = dp.default_collate(samples), default_collate(samples)
    assert isinstance(ours, tuple) and len(ours) == len(theirs) == 3
    assert ours[0].shape == (4, 2, 3)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.numpy().dtype and np.array_equal(a, b.numpy())   # float64, int64, float64


def test_default_collate_equals_torch_for_dicts():
    samples = [{"x": np.arange(3.0) + k, "label": np.int64(k)} for k in range(5)]
    ours, theirs = dp.default_collate(samples), default_collate(samples)
    assert set(ours) == {"x", "label"}
    for key in ours:
        assert np.array_equal(ours[key], theirs[key].numpy()) and ours[key].dtype == theirs[key].numpy().dtype


def test_custom_collate_fn_is_used(digits):
    X, y = digits
    loader = dp.SimpleDataLoader(dp.ArrayDataset(X[:10], y[:10]), batch_size=4, collate_fn=len)
    assert list(loader) == [4, 4, 2]


# ---------------------------------------------------------------- splits

@pytest.mark.parametrize("N", [10, 99, 1797])
def test_split_sizes_add_up(N):
    sizes = dp.split_sizes(N, (0.7, 0.15, 0.15))
    assert sizes.sum() == N and (sizes >= 0).all()
    assert all(abs(s - f * N) <= 0.5 for s, f in zip(sizes[1:], (0.15, 0.15)))


@pytest.mark.parametrize("fractions", [(0.7, 0.2), (0.5, 0.6, -0.1), (1.0, 0.0), ((0.5, 0.5),)])
def test_bad_fractions_raise(fractions):
    with pytest.raises(ValueError, match="fractions must be positive and sum to 1"):
        dp.split_sizes(100, fractions)


def test_stratified_split_keeps_every_class_share(digits):
    _, y = digits
    fractions = (0.7, 0.15, 0.15)
    parts = dp.stratified_split(y, fractions, np.random.default_rng(0))
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(y)))     # disjoint, nothing lost
    for c in range(10):
        n_c = (y == c).sum()
        counts = [(y[p] == c).sum() for p in parts]
        assert abs(counts[1] - 0.15 * n_c) <= 0.5 and abs(counts[2] - 0.15 * n_c) <= 0.5   # rounded
        assert abs(counts[0] - 0.7 * n_c) <= 1.0                                           # the rest
    assert dp.max_share_gap(y, parts, 10) < 0.005


def test_stratified_split_beats_random_split_and_matches_sklearn(digits):
    _, y = digits
    ours = [dp.max_share_gap(y, dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(s)), 10)
            for s in range(5)]
    random = [dp.max_share_gap(y, [np.array(p.indices) for p in torch.utils.data.random_split(
        range(len(y)), [0.8, 0.2], generator=torch.Generator().manual_seed(s))], 10) for s in range(5)]
    sklearn = [dp.max_share_gap(y, train_test_split(np.arange(len(y)), test_size=0.2, stratify=y,
                                                     random_state=s), 10) for s in range(5)]
    assert max(ours) < 0.004 and max(sklearn) < 0.004 and min(random) > 2 * max(ours)


def test_stratified_split_mixes_the_classes_within_each_part(digits):
    _, y = digits
    val = dp.stratified_split(y, (0.7, 0.15, 0.15), np.random.default_rng(0))[1]
    assert np.any(np.diff(y[val]) < 0)                   # not sorted by class


def test_stratified_split_is_reproducible_and_seed_dependent(digits):
    _, y = digits
    a, b, c = (dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(s)) for s in (0, 0, 1))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not np.array_equal(a[1], c[1])


def test_torch_random_split_partitions_the_data_reproducibly():
    parts = [torch.utils.data.random_split(range(100), [0.7, 0.15, 0.15],
                                           generator=torch.Generator().manual_seed(0)) for _ in range(2)]
    assert [len(p) for p in parts[0]] == [70, 15, 15]
    assert sorted(sum((p.indices for p in parts[0]), [])) == list(range(100))
    assert parts[0][1].indices == parts[1][1].indices


# ---------------------------------------------------------------- scaling

def test_standardize_equals_standard_scaler(digits):
    X, y = digits
    train, val = dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(0))
    mu, sigma = dp.fit_standardizer(X[train])
    scaler = StandardScaler().fit(X[train])
    assert np.max(np.abs(mu - scaler.mean_)) < TOL and np.max(np.abs(sigma - scaler.scale_)) < TOL
    assert np.max(np.abs(dp.standardize(X[val], mu, sigma) - scaler.transform(X[val]))) < TOL
    Z = dp.standardize(X[train], mu, sigma)
    constant = X[train].std(axis=0) == 0
    assert constant.any() and np.allclose(sigma[constant], 1.0)               # no 0 / 0
    assert np.allclose(Z.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(Z.std(axis=0)[~constant], 1.0) and np.allclose(Z.std(axis=0)[constant], 0.0)


def test_minmax_equals_minmax_scaler(digits):
    X, y = digits
    train, val = dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(0))
    lo, span = dp.fit_minmax(X[train])
    scaler = MinMaxScaler().fit(X[train])
    assert np.max(np.abs(dp.minmax_scale(X[val], lo, span) - scaler.transform(X[val]))) < TOL
    scaled = dp.minmax_scale(X[train], lo, span)
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    new = dp.minmax_scale(np.full((1, 64), 20.0), lo, span)                  # brighter than any training pixel
    assert new.max() > 1.0


def test_scaler_statistics_ignore_everything_but_the_training_rows(digits):
    X, y = digits
    train, test = dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(0))
    moves = dp.leakage_demo(X, train, test)
    assert moves["fit on train only"] == 0.0 and moves["fit on all data"] > 0.1
    X2 = X.copy()
    X2[test] = 0.0
    assert all(np.array_equal(a, b) for a, b in zip(dp.fit_standardizer(X[train]), dp.fit_standardizer(X2[train])))


def test_all_data_mean_mixes_in_the_test_mean(digits):
    # eq. (9): mu_all = (N_train mu_train + N_test mu_test) / N
    X, y = digits
    train, test = dp.stratified_split(y, (0.8, 0.2), np.random.default_rng(0))
    mixed = (len(train) * X[train].mean(axis=0) + len(test) * X[test].mean(axis=0)) / len(X)
    assert np.max(np.abs(dp.fit_standardizer(X)[0] - mixed)) < 1e-12


@pytest.mark.parametrize("X, error, match", [
    (np.zeros(5), ValueError, r"X must have shape \(N, d\)"),
    (np.zeros((0, 3)), ValueError, r"N >= 1"),
    (np.array([[1.0, np.nan]]), ValueError, "finite"),
    (np.array([["a", "b"]]), TypeError, "float or integer dtype"),
])
def test_bad_features_raise(X, error, match):
    with pytest.raises(error, match=match):
        dp.fit_standardizer(X)


def test_scaling_rows_of_the_wrong_width_raises(digits):
    X, _ = digits
    mu, sigma = dp.fit_standardizer(X)
    with pytest.raises(ValueError, match=r"shape \(N, 64\)"):
        dp.standardize(X[:, :10], mu, sigma)


# ---------------------------------------------------------------- labels

def test_one_hot_equals_f_one_hot_and_round_trips(digits):
    _, y = digits
    T = dp.one_hot(y, 10)
    assert T.dtype == np.float64 and T.shape == (1797, 10)
    assert np.array_equal(T, F.one_hot(torch.as_tensor(y), num_classes=10).numpy())
    assert np.array_equal(dp.to_index(T), y)
    assert np.array_equal(dp.to_index(T), torch.as_tensor(T).argmax(dim=1).numpy())


def test_index_and_one_hot_targets_give_the_same_cross_entropy():
    # the link to losses.md: sparse categorical CE on indices = categorical CE on one-hot rows
    rng = np.random.default_rng(0)
    Z, y = torch.as_tensor(rng.normal(size=(6, 4))), np.array([0, 3, 1, 1, 2, 3])
    T = torch.as_tensor(dp.one_hot(y, 4))
    assert abs(F.cross_entropy(Z, torch.as_tensor(y)).item() - F.cross_entropy(Z, T).item()) < TOL


@pytest.mark.parametrize("y, C, error, match", [
    ([0, 3, 5], 4, ValueError, r"in \[0, C\) = \[0, 4\), got 5"),
    ([0, -1], 4, ValueError, r"got -1"),
    ([0.0, 1.0], 4, TypeError, "integer class indices"),
    ([[0, 1]], 4, ValueError, r"shape \(N,\)"),
])
def test_bad_labels_raise(y, C, error, match):
    with pytest.raises(error, match=match):
        dp.one_hot(np.array(y), C)


@pytest.mark.parametrize("T", [np.array([[0.5, 0.5]]), np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]])])
def test_to_index_refuses_rows_that_are_not_one_hot(T):
    with pytest.raises(ValueError, match="exactly one 1 per row"):
        dp.to_index(T)


def test_to_index_refuses_a_vector():
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        dp.to_index(np.array([0.0, 1.0]))


# ---------------------------------------------------------------- the PyTorch pipeline

def test_digits_loaders_build_the_whole_pipeline():
    train, val, test = dp.digits_loaders(batch_size=32, seed=0)
    assert [len(loader.dataset) for loader in (train, val, test)] == [1259, 269, 269]
    X_b, y_b = next(iter(train))
    assert X_b.shape == (32, 64) and X_b.dtype == torch.float32 and y_b.dtype == torch.int64
    X_train = train.dataset.X
    assert X_train.mean(dim=0).abs().max() < 1e-5                     # standardized with its own statistics
    assert val.dataset.X.mean(dim=0).abs().max() > 1e-3                # val was not used for the statistics
    assert torch.equal(next(iter(val))[1], next(iter(val))[1])        # val is not shuffled
    fresh = dp.digits_loaders(batch_size=32, seed=0)[0]
    epoch1, epoch2 = ([y_b for _, y_b in fresh] for _ in range(2))
    assert not torch.equal(epoch1[0], epoch2[0])                       # train is reshuffled every epoch
    again = dp.digits_loaders(batch_size=32, seed=0)[0]
    assert torch.equal(next(iter(again))[1], epoch1[0])                # ...reproducibly


def test_digits_dataset_applies_its_transform():
    ds = dp.DigitsDataset(np.ones((3, 64)), np.array([0, 1, 2]), transform=lambda x: -x)
    x, label = ds[1]
    assert len(ds) == 3 and torch.equal(x, -torch.ones(64)) and label.item() == 1 and label.dtype == torch.int64


# ---------------------------------------------------------------- pitfalls

def test_class_sorted_batches_train_worse_than_shuffled():
    acc = dp.sorted_vs_shuffled()
    assert acc["shuffled"] > 0.9 and acc["shuffled"] - acc["sorted by class"] > 0.1


def test_selecting_features_on_all_data_fakes_a_good_test_accuracy():
    runs = [dp.selection_leak(seed) for seed in range(20)]
    honest = np.mean([r["select on train"] for r in runs])
    leaky = np.mean([r["select on all data"] for r in runs])
    assert abs(honest - 0.5) < 0.08 and leaky > 0.75


def test_best_of_k_on_the_test_set_is_optimistic():
    best = [dp.best_of_k_on_test(K=50, n_test=100, seed=s) for s in range(10)]
    assert np.mean(best) > 0.58                                    # every model's true accuracy is 0.5
    assert np.mean([dp.best_of_k_on_test(K=1, n_test=100, seed=s) for s in range(10)]) < 0.56


def test_batchnorm_fails_on_a_last_batch_of_one_and_drop_last_fixes_it():
    bn = torch.nn.BatchNorm1d(4)
    data = TensorDataset(torch.randn(33, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        for (X_b,) in DataLoader(data, batch_size=32):
            bn(X_b)
    for (X_b,) in DataLoader(data, batch_size=32, drop_last=True):
        bn(X_b)


def test_f_one_hot_without_num_classes_guesses_the_width():
    assert F.one_hot(torch.tensor([0, 3, 1])).shape == (3, 4)
    assert F.one_hot(torch.tensor([0, 3, 1]), num_classes=10).shape == (3, 10)
    with pytest.raises(RuntimeError, match="index tensor"):
        F.one_hot(torch.tensor([0.0, 1.0]))


@pytest.mark.skipif(sys.platform != "linux", reason="uses the fork start method")
def test_workers_copy_a_numpy_generator_unless_seeded():
    ds = dp.NoisyDataset(np.zeros((8, 3)), np.zeros(8, dtype=np.int64))

    def noise(**kwargs):
        loader = DataLoader(ds, batch_size=2, num_workers=2, multiprocessing_context="fork",
                            generator=torch.Generator().manual_seed(0), **kwargs)
        return [X_b for X_b, _ in loader]

    copied = noise()
    assert torch.equal(copied[0], copied[1])            # worker 0 and worker 1 draw the same "random" noise
    seeded = noise(worker_init_fn=dp.seed_worker)
    assert not torch.equal(seeded[0], seeded[1])


# ---------------------------------------------------------------- exercises

@pytest.mark.parametrize("B", [1, 7, 100, 5000])
def test_exercise_streaming_mean_and_std(digits, B):
    X, y = digits
    mu, sigma = dp.streaming_mean_std(DataLoader(dp.ArrayDataset(X, y), batch_size=B))
    exact_mu, exact_sigma = dp.fit_standardizer(X)
    assert np.max(np.abs(mu - exact_mu)) < 1e-12 and np.max(np.abs(sigma - exact_sigma)) < 1e-12


def test_exercise_pad_collate_equals_pad_sequence():
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 50, size=n) for n in (3, 1, 5, 2)]
    batch, lengths = dp.pad_collate(seqs)
    theirs = torch.nn.utils.rnn.pad_sequence([torch.as_tensor(s) for s in seqs], batch_first=True)
    assert batch.shape == (4, 5) and np.array_equal(batch, theirs.numpy()) and lengths.tolist() == [3, 1, 5, 2]
    batches = list(DataLoader(seqs, batch_size=2, collate_fn=dp.pad_collate))
    assert [b.shape for b, _ in batches] == [(2, 3), (2, 5)]                # padded per batch, not globally
    assert np.array_equal(dp.pad_collate(seqs, pad=-1)[0][1], [seqs[1][0], -1, -1, -1, -1])


# ---------------------------------------------------------------- the module's own output

def test_check_prints_only_tiny_differences(run_main, capsys):
    out = run_main(dp, "--check")
    gaps = [float(g) for g in re.findall(r"^\S.*?\s(\d\.\de[+-]\d\d)$", out, re.M)]
    assert len(gaps) == 8 and max(gaps) < 1e-12
    assert "visits every index once: True" in out
    assert re.search(r"fit on train only\s+0\.0000", out)


def test_demo_pitfalls_and_exercises_run(run_main, capsys):
    assert "same seed, same first batch: True" in run_main(dp)
    out = run_main(dp, "--pitfalls")
    assert "Expected more than 1 value per channel" in out and "(4, 4)" in out
    assert "(torch: [57, 56])" in run_main(dp, "--exercise", "1")
    assert re.search(r"mu \d\.\de-1[2-9]", run_main(dp, "--exercise", "2"))
    assert "shape (2, 3)" in run_main(dp, "--exercise", "3")


def test_figures_draw():
    fig = dp.plot_batches()
    assert len(fig.axes[0].patches) == 10 * 4                     # four rows of ten cells
    fig = dp.plot_split_shares()
    assert len(fig.axes[0].patches) == 20                         # ten digits, two splits
