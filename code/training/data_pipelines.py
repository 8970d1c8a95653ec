"""Data pipelines: Dataset, DataLoader, splits, input scaling and label formats, from scratch beside PyTorch.

Page: docs/training/data-pipelines.md (topic 16). A map-style dataset and a data loader (order, batch sampler,
collate) written in plain NumPy whose batches equal torch.utils.data.DataLoader's; random and stratified
train/validation/test splits; standardization and min-max scaling fitted on the training rows only (and what
leaks when they are not); one-hot and index labels. Data: scikit-learn's bundled 8x8 digits (load_digits, no
download; Alpaydin & Kaynak 1998). Leakage: Kaufman, Rosset, Perlich & Stitelman (2012), "Leakage in data
mining"; selection bias in feature selection: Ambroise & McLachlan (2002), PNAS 99(10). Streaming variance:
Chan, Golub & LeVeque (1983), "Algorithms for computing the sample variance".

    python code/training/data_pipelines.py      # demo; --check (ours vs PyTorch / scikit-learn),
        --pitfalls (mistakes and their symptoms), --exercise 1 (to 3: the exercise solutions)
"""
import sys

# --8<-- [start:imports]
import numpy as np
from sklearn.datasets import load_digits
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


def check_labels(y, C=None):
    """Class indices y (N,) as int64 in [0, C); anything else is a clear error."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"labels y must be integer class indices (e.g. int64), got dtype {y.dtype}")
    if y.ndim != 1:
        raise ValueError(f"labels y must have shape (N,), one class index per example, got {y.shape}")
    bad = y[(y < 0) | (y >= C)] if C is not None else y[y < 0]
    if bad.size:
        raise ValueError(f"labels y must be integer class indices in [0, C) = [0, {C}), got {bad[0]}")
    return y.astype(np.int64)


def check_features(X, d=None):
    """Inputs X (N, d) as finite float64, one example per row."""
    X = np.asarray(X)
    if X.dtype.kind not in "iuf":
        raise TypeError(f"X must hold numbers (a float or integer dtype), got dtype {X.dtype}")
    if X.ndim != 2 or len(X) == 0 or (d is not None and X.shape[1] != d):
        raise ValueError(f"X must have shape (N, {d or 'd'}) with N >= 1, one example per row, got {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite, got NaN or inf")
    return X.astype(np.float64)
# --8<-- [end:validation]
# --8<-- [start:dataset]


class ArrayDataset:
    """A map-style dataset, eq. (1): len(ds) = N and ds[i] = (x_i, y_i). Any class with these two methods
    is a dataset; torch's DataLoader accepts it too, without subclassing anything."""

    def __init__(self, X, y, transform=None):
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same number of examples N, got {len(X)} and {len(y)}")
        self.X, self.y, self.transform = np.asarray(X), np.asarray(y), transform

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        x = self.X[i]                                  # (d,): one example, fetched only when asked for
        return (self.transform(x) if self.transform else x), self.y[i]


def toy_dataset(N=10):
    """N examples with two features (n, 10 n) and label n mod 3: easy to follow through a loader."""
    n = np.arange(N)
    return ArrayDataset(np.stack([n, 10 * n], axis=1).astype(np.float64), n % 3)
# --8<-- [end:dataset]
# --8<-- [start:loader]


def sampler_order(N, shuffle, rng):
    """The order pi in which one epoch visits the N examples, eq. (2): 0..N-1, or a fresh permutation."""
    return rng.permutation(N) if shuffle else np.arange(N)


def batch_sampler(order, B, drop_last=False):
    """Cut an order into batches of B indices, eq. (3); the last one is short unless drop_last."""
    if not isinstance(B, int) or B < 1:
        raise ValueError(f"batch size B must be an integer >= 1, got {B!r}")
    order = [int(i) for i in order]
    stop = len(order) - len(order) % B if drop_last else len(order)
    return [order[k:k + B] for k in range(0, stop, B)]


def num_batches(N, B, drop_last=False):
    """Batches per epoch, eq. (5): ceil(N / B), or floor(N / B) with drop_last."""
    return N // B if drop_last else -(-N // B)


def default_collate(samples):
    """B samples -> one batch, eq. (4): tuples field by field, arrays and numbers stacked on a new axis 0."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate(list(field)) for field in zip(*samples))   # transpose, then stack
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    return np.stack([np.asarray(s) for s in samples])           # (B, ...): B examples of shape (...)


class SimpleDataLoader:
    """Batches of a map-style dataset: order (eq. 2) -> batch sampler (eq. 3) -> collate (eq. 4).
    shuffle=True draws a new permutation every epoch from one seeded NumPy Generator; `sampler` (any
    iterable of indices) replaces the order, e.g. to replay the order another loader used."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, collate_fn=default_collate,
                 seed=None, sampler=None):
        if shuffle and sampler is not None:
            raise ValueError("give shuffle=True or a sampler, not both (the sampler fixes the order)")
        self.dataset, self.B, self.shuffle, self.drop_last = dataset, batch_size, shuffle, drop_last
        self.collate_fn, self.sampler = collate_fn, sampler
        self.rng = np.random.default_rng(seed)    # one Generator for all epochs: each epoch gets a new order

    def __len__(self):
        N = len(self.sampler) if self.sampler is not None else len(self.dataset)
        return num_batches(N, self.B, self.drop_last)

    def __iter__(self):
        order = self.sampler if self.sampler is not None else \
            sampler_order(len(self.dataset), self.shuffle, self.rng)
        for batch in batch_sampler(order, self.B, self.drop_last):
            yield self.collate_fn([self.dataset[i] for i in batch])
# --8<-- [end:loader]
# --8<-- [start:splits]


def split_sizes(N, fractions):
    """Part sizes, eq. (7): round(f_s N) for every part after the first; the first (train) takes the rest."""
    fractions = np.asarray(fractions, dtype=np.float64)
    if fractions.ndim != 1 or (fractions <= 0).any() or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be positive and sum to 1, e.g. (0.7, 0.15, 0.15), got {fractions}")
    rest = np.floor(fractions[1:] * N + 0.5).astype(int)       # round half up
    return np.r_[N - rest.sum(), rest]


def stratified_split(y, fractions, rng):
    """Index arrays whose class mix equals the whole data's: every class is split on its own, eq. (7)."""
    y = check_labels(y)
    parts = [[] for _ in fractions]
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))        # the examples of class c, shuffled
        cuts = np.cumsum(split_sizes(len(members), fractions))[:-1]
        for part, chunk in zip(parts, np.split(members, cuts)):
            part.append(chunk)
    return [rng.permutation(np.concatenate(part)) for part in parts]   # mix the classes within each part


def max_share_gap(y, parts, C):
    """max over parts s and classes c of |share of c in part s - share of c in all of y|."""
    whole = np.bincount(y, minlength=C) / len(y)
    return max(np.abs(np.bincount(y[p], minlength=C) / len(p) - whole).max() for p in parts)
# --8<-- [end:splits]
# --8<-- [start:scaling]


def fit_standardizer(X_train):
    """Per-feature mean mu and standard deviation sigma, eq. (8), from the TRAINING rows only."""
    X_train = check_features(X_train)
    mu, sigma = X_train.mean(axis=0), X_train.std(axis=0)      # (d,), (d,): divide by N (ddof = 0)
    return mu, np.where(sigma > 0, sigma, 1.0)                 # a constant feature: keep x - mu, no 0/0


def standardize(X, mu, sigma):
    """x_tilde = (x - mu) / sigma, eq. (8), with the training statistics, for any rows."""
    return (check_features(X, d=len(mu)) - mu) / sigma          # (N, d): mu, sigma broadcast over rows


def fit_minmax(X_train):
    """Per-feature minimum and range (max - min), eq. (10), from the training rows only."""
    X_train = check_features(X_train)
    lo, span = X_train.min(axis=0), X_train.max(axis=0) - X_train.min(axis=0)
    return lo, np.where(span > 0, span, 1.0)


def minmax_scale(X, lo, span):
    """(x - min) / (max - min), eq. (10): training rows land in [0, 1], new rows may fall outside."""
    return (check_features(X, d=len(lo)) - lo) / span
# --8<-- [end:scaling]
# --8<-- [start:leakage]


def leakage_demo(X, train, test):
    """Change only the test rows; how far do the standardized TRAINING rows move? eq. (9)."""
    X2 = X.copy()
    X2[test] = 0.5 * X[test]                                   # a different test set: fainter ink
    moves = {}
    for name, rows in [("fit on train only", train), ("fit on all data", np.r_[train, test])]:
        before = standardize(X[train], *fit_standardizer(X[rows]))
        after = standardize(X2[train], *fit_standardizer(X2[rows]))
        moves[name] = np.abs(after - before).max()
    return moves
# --8<-- [end:leakage]
# --8<-- [start:labels]


def one_hot(y, C):
    """T[n, c] = [c = y_n], eq. (12): (N,) class indices -> (N, C) float64 one-hot rows."""
    y = check_labels(y, C)
    T = np.zeros((len(y), C))
    T[np.arange(len(y)), y] = 1.0
    return T


def to_index(T):
    """y_n = argmax_c T[n, c], eq. (13); refuses rows that are not one-hot (a soft row has no one index)."""
    T = np.asarray(T)
    if T.ndim != 2:
        raise ValueError(f"one-hot labels T must have shape (N, C), got {T.shape}")
    if not (np.isin(T, (0, 1)).all() and (T.sum(axis=1) == 1).all()):
        raise ValueError("one-hot labels T must have exactly one 1 per row and 0 elsewhere")
    return T.argmax(axis=1)
# --8<-- [end:labels]
# --8<-- [start:torch_dataset]


class DigitsDataset(Dataset):
    """load_digits as a torch map-style Dataset: float32 images (64,), int64 labels, optional transform."""

    def __init__(self, X, y, transform=None):
        self.X = torch.as_tensor(X, dtype=torch.float32)        # (N, 64)
        self.y = torch.as_tensor(y, dtype=torch.int64)          # (N,) indices, as CrossEntropyLoss wants
        self.transform = transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        x = self.X[i]
        return (self.transform(x) if self.transform else x), self.y[i]


def digits_loaders(batch_size=32, seed=0):
    """The whole pipeline: load, split 70/15/15 stratified, standardize with train statistics, batch."""
    X, y = load_digits(return_X_y=True)                         # (1797, 64) pixels 0..16, (1797,)
    train, val, test = stratified_split(y, (0.7, 0.15, 0.15), np.random.default_rng(seed))
    mu, sigma = fit_standardizer(X[train])                      # never looks at val or test
    sets = [DigitsDataset(standardize(X[rows], mu, sigma), y[rows]) for rows in (train, val, test)]
    g = torch.Generator().manual_seed(seed)                     # reproducible shuffling
    return (DataLoader(sets[0], batch_size=batch_size, shuffle=True, generator=g),
            DataLoader(sets[1], batch_size=256), DataLoader(sets[2], batch_size=256))
# --8<-- [end:torch_dataset]
# --8<-- [start:pitfalls]


def sorted_vs_shuffled(lr=0.5, seed=0):
    """Validation accuracy of softmax regression after ONE epoch of plain SGD: class-sorted vs shuffled."""
    X, y = load_digits(return_X_y=True)
    train, val = stratified_split(y, (0.8, 0.2), np.random.default_rng(seed))
    mu, sigma = fit_standardizer(X[train])
    X_val, threads, result = torch.as_tensor(standardize(X[val], mu, sigma)), torch.get_num_threads(), {}
    torch.set_num_threads(1)                              # tiny matrices: one thread is faster
    for name, rows in [("sorted by class", train[np.argsort(y[train], kind="stable")]), ("shuffled", train)]:
        data = TensorDataset(torch.as_tensor(standardize(X[rows], mu, sigma)), torch.as_tensor(y[rows]))
        loader = DataLoader(data, batch_size=32, shuffle=name == "shuffled",
                            generator=torch.Generator().manual_seed(seed))
        torch.manual_seed(seed)
        model = nn.Linear(64, 10, dtype=torch.float64)
        for X_b, y_b in loader:
            model.zero_grad()
            F.cross_entropy(model(X_b), y_b).backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad                      # a plain SGD step, as torch.optim.SGD(lr=lr)
        result[name] = (model(X_val).argmax(dim=1).numpy() == y[val]).mean()
    torch.set_num_threads(threads)
    return result


def selection_leak(seed, N=60, d=1000, k=20):
    """Pure-noise features, random labels: pick the k features most tied to y on train only, or on ALL
    data (the leak); test accuracy of a nearest-centroid classifier. The truth is 0.5 for both."""
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(N, d)), rng.integers(0, 2, size=N)
    train, test = np.arange(N // 2), np.arange(N // 2, N)
    accuracy = {}
    for name, rows in [("select on train", train), ("select on all data", np.arange(N))]:
        gap = X[rows][y[rows] == 1].mean(axis=0) - X[rows][y[rows] == 0].mean(axis=0)    # (d,)
        keep = np.argsort(-np.abs(gap))[:k]
        centroids = np.stack([X[train][y[train] == c][:, keep].mean(axis=0) for c in (0, 1)])   # (2, k)
        dist = ((X[test][:, keep][:, None, :] - centroids) ** 2).sum(axis=2)                      # (N_test, 2)
        accuracy[name] = (dist.argmin(axis=1) == y[test]).mean()
    return accuracy


def best_of_k_on_test(K=50, n_test=100, seed=0):
    """K 'models' that guess at random; the best test accuracy of K vs the true accuracy, 0.5, eq. (11)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n_test)
    guesses = rng.integers(0, 2, size=(K, n_test))                # (K, n_test)
    return (guesses == y).mean(axis=1).max()
# --8<-- [end:pitfalls]
# --8<-- [start:worker_seeding]


class NoisyDataset(ArrayDataset):
    """Adds Gaussian noise to each example (a random augmentation) from the dataset's own Generator."""

    def __init__(self, X, y, seed=0):
        super().__init__(X, y)
        self.rng = np.random.default_rng(seed)

    def __getitem__(self, i):
        return self.X[i] + self.rng.normal(size=self.X[i].shape), self.y[i]


def seed_worker(worker_id):
    """worker_init_fn: give each worker's copy of the Generator its own seed (torch's seed per worker)."""
    info = torch.utils.data.get_worker_info()
    info.dataset.rng = np.random.default_rng(info.seed)           # info.seed = base seed + worker_id
# --8<-- [end:worker_seeding]
# --8<-- [start:ex_streaming]


def streaming_mean_std(loader):
    """mu and sigma of all rows seen by a loader, one batch at a time, merged by eq. (14)."""
    n, mu, M2 = 0, 0.0, 0.0                       # count, mean, sum of squared deviations from the mean
    for X_b, *_ in loader:
        X_b = np.asarray(X_b, dtype=np.float64)                   # (B, d)
        n_b, mu_b = len(X_b), X_b.mean(axis=0)
        M2_b = ((X_b - mu_b) ** 2).sum(axis=0)
        delta = mu_b - mu
        mu = mu + delta * n_b / (n + n_b)
        M2 = M2 + M2_b + delta ** 2 * n * n_b / (n + n_b)
        n += n_b
    sigma = np.sqrt(M2 / n)
    return mu, np.where(sigma > 0, sigma, 1.0)
# --8<-- [end:ex_streaming]
# --8<-- [start:ex_pad]


def pad_collate(samples, pad=0):
    """Sequences of different lengths -> a (B, T_max) int64 batch padded with `pad`, and the lengths (B,)."""
    lengths = np.array([len(s) for s in samples])               # (B,)
    batch = np.full((len(samples), lengths.max()), pad, dtype=np.int64)
    for row, s in zip(batch, samples):
        row[:len(s)] = s                                        # left-aligned: padding at the end
    return batch, lengths
# --8<-- [end:ex_pad]


def _rows(loader):
    """Visiting order of a loader over toy_dataset (its first feature is the index)."""
    return [batch[0][:, 0].astype(int).tolist() for batch in loader]


def plot_batches():
    """How a loader cuts N = 10 examples into batches of B = 4: in order, shuffled twice, drop_last."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ds = toy_dataset(10)
    shuffled = SimpleDataLoader(ds, batch_size=4, shuffle=True, seed=0)
    rows = [("shuffle=False", _rows(SimpleDataLoader(ds, batch_size=4)), []),
            ("shuffle=True, epoch 1", _rows(shuffled), []), ("shuffle=True, epoch 2", _rows(shuffled), [])]
    dropped = SimpleDataLoader(ds, batch_size=4, sampler=sum(rows[2][1], []), drop_last=True)
    rows.append(("... with drop_last=True", _rows(dropped), sum(rows[2][1], [])[8:]))
    fig, ax = plt.subplots(figsize=(7, 2.4))
    colors = plt.get_cmap("Pastel1").colors
    for r, (name, batches, left_out) in enumerate(rows):
        cells = [(i, b) for b, batch in enumerate(batches) for i in batch] + [(i, None) for i in left_out]
        for k, (i, b) in enumerate(cells):
            ax.add_patch(plt.Rectangle((k, -r - 0.9), 0.95, 0.8, color="0.9" if b is None else colors[b]))
            ax.text(k + 0.47, -r - 0.5, str(i), ha="center", va="center", color="0.6" if b is None else "k")
        ax.text(-0.3, -r - 0.5, name, ha="right", va="center", fontsize=9)
    ax.set(xlim=(-4.2, 10), ylim=(-4, 0), xticks=[], yticks=[])
    ax.set_title("position in the epoch →  (colour = batch, grey = dropped)", fontsize=9)
    ax.axis("off")
    return fig


def plot_split_shares():
    """Share of each digit in a 15 % validation set minus its share in all data: random vs stratified."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    _, y = load_digits(return_X_y=True)
    val_random = random_split(range(len(y)), [0.7, 0.15, 0.15], generator=torch.Generator().manual_seed(0))[1]
    val_strat = stratified_split(y, (0.7, 0.15, 0.15), np.random.default_rng(0))[1]
    fig, ax = plt.subplots(figsize=(7, 2.6))
    for shift, name, val in [(-0.2, "random_split", val_random.indices), (0.2, "stratified_split", val_strat)]:
        gap = np.bincount(y[val], minlength=10) / len(val) - np.bincount(y, minlength=10) / len(y)
        ax.bar(np.arange(10) + shift, 100 * gap, width=0.4, label=name)
    ax.axhline(0, color="k", lw=0.8)
    ax.set(xticks=range(10), xlabel="digit", ylabel="percentage points",
           title="share of each digit in the validation set − share in all data")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def _batch_gap(ours, theirs):
    """Max |difference| over all batches (inputs and labels); inf if the batch counts differ."""
    ours, theirs = list(ours), list(theirs)
    if len(ours) != len(theirs):
        return np.inf
    return max(np.abs(np.asarray(a, dtype=np.float64) - b.numpy()).max() for o, t in zip(ours, theirs)
               for a, b in zip(o, t))


def check():
    """Print, for each from-scratch piece, the max |difference| against PyTorch or scikit-learn."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    X, y = load_digits(return_X_y=True)
    ds, samples, T = ArrayDataset(X[:100], y[:100]), [(X[i], y[i]) for i in range(5)], one_hot(y, 10)
    order = torch.cat(list(DataLoader(range(100), 16, shuffle=True,
                                      generator=torch.Generator().manual_seed(0)))).tolist()  # torch's order
    train, val = stratified_split(y, (0.8, 0.2), np.random.default_rng(0))
    rows = [  # (ours, theirs, max |diff|)
        ("SimpleDataLoader", "DataLoader", _batch_gap(SimpleDataLoader(ds, 16), DataLoader(ds, 16))),
        ("... drop_last=True", "... drop_last=True",
         _batch_gap(SimpleDataLoader(ds, 16, drop_last=True), DataLoader(ds, 16, drop_last=True))),
        ("... sampler=torch's order", "... shuffle=True, generator=g",
         _batch_gap(SimpleDataLoader(ds, 16, sampler=order),
                    DataLoader(ds, 16, shuffle=True, generator=torch.Generator().manual_seed(0)))),
        ("default_collate", "torch default_collate",
         _batch_gap([default_collate(samples)], [torch.utils.data.default_collate(samples)])),
        ("standardize", "StandardScaler", np.abs(standardize(X[val], *fit_standardizer(X[train]))
                                                 - StandardScaler().fit(X[train]).transform(X[val])).max()),
        ("minmax_scale", "MinMaxScaler", np.abs(minmax_scale(X[val], *fit_minmax(X[train]))
                                                - MinMaxScaler().fit(X[train]).transform(X[val])).max()),
        ("one_hot", "F.one_hot", np.abs(T - F.one_hot(torch.as_tensor(y), 10).numpy()).max()),
        ("to_index", "argmax(dim=1)", np.abs(to_index(T) - torch.as_tensor(T).argmax(dim=1).numpy()).max()),
    ]
    print(f"{'from scratch':28} {'PyTorch / scikit-learn':32} max |diff|")
    for ours, theirs, gap in rows:
        print(f"{ours:28} {theirs:32} {gap:.1e}")
    print(f"\ntorch's shuffled epoch visits every index once: {sorted(order) == list(range(100))}")
    print("\n80/20 split: largest gap between a class's share in a part and in all data")
    for name, parts in [("stratified_split (ours)", (train, val)),
                        ("train_test_split(stratify=y)", train_test_split(np.arange(len(y)), test_size=0.2,
                                                                          stratify=y, random_state=0)),
                        ("random_split (torch)", [np.array(p.indices) for p in random_split(
                            range(len(y)), [0.8, 0.2], generator=torch.Generator().manual_seed(0))])]:
        print(f"{name:30} {max_share_gap(y, parts, 10):.4f}   sizes {[len(p) for p in parts]}")
    print("\nchange only the test images: how far do the standardized training images move?")
    for name, move in leakage_demo(X, train, val).items():
        print(f"{name:30} {move:.4f}")


def pitfalls():
    # --8<-- [start:demo_pitfalls]

    acc = sorted_vs_shuffled()
    print("one epoch of softmax regression, validation accuracy:",
          ", ".join(f"{name} {a:.3f}" for name, a in acc.items()))
    runs = [selection_leak(seed) for seed in range(20)]
    print("noise features, random labels, 20 runs, mean test accuracy:",
          ", ".join(f"{name} {np.mean([r[name] for r in runs]):.3f}" for name in runs[0]))
    print(f"best test accuracy of 50 coin-flip models on 100 test examples: {best_of_k_on_test():.2f}")
    bn = nn.BatchNorm1d(4)                                # train mode: normalizes with batch statistics
    loader = DataLoader(TensorDataset(torch.randn(33, 4)), batch_size=32)
    try:
        for (X_b,) in loader:
            bn(X_b)
    except ValueError as error:
        print(f"BatchNorm on the last batch of {len(X_b)}: {error}")
    y_b = torch.tensor([0, 3, 1, 3])                      # a batch in which class 9 happens not to appear
    print(f"F.one_hot(y_b).shape = {tuple(F.one_hot(y_b).shape)}, "
          f"F.one_hot(y_b, num_classes=10).shape = {tuple(F.one_hot(y_b, num_classes=10).shape)}")
    # --8<-- [end:demo_pitfalls]


def exercises(which):
    if which == "1":
        # --8<-- [start:demo_ex_batches]

        for N, B in [(1797, 32), (1259, 32), (10, 4)]:
            torch_len = [len(DataLoader(range(N), batch_size=B, drop_last=d)) for d in (False, True)]
            print(f"N = {N:4}, B = {B:2}: {num_batches(N, B)} batches, {num_batches(N, B, True)} with drop_last "
                  f"(torch: {torch_len}); last batch {N - B * (num_batches(N, B) - 1)}, left out {N % B}")
        # --8<-- [end:demo_ex_batches]
    elif which == "2":
        # --8<-- [start:demo_ex_streaming]

        X, y = load_digits(return_X_y=True)
        mu, sigma = streaming_mean_std(DataLoader(ArrayDataset(X, y), batch_size=100))
        exact_mu, exact_sigma = fit_standardizer(X)
        print(f"streaming vs all at once, max |diff|: mu {np.abs(mu - exact_mu).max():.1e}, "
              f"sigma {np.abs(sigma - exact_sigma).max():.1e}")
        # --8<-- [end:demo_ex_streaming]
    else:
        # --8<-- [start:demo_ex_pad]

        sequences = [np.array([5, 2, 9]), np.array([7]), np.array([1, 4])]
        batch, lengths = pad_collate(sequences)
        print("pad_collate ->\n", batch, "\nlengths", lengths)
        for X_b, lengths in DataLoader(sequences, batch_size=2, collate_fn=pad_collate):
            print("DataLoader(collate_fn=pad_collate) batch of shape", X_b.shape)
        # --8<-- [end:demo_ex_pad]


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--pitfalls" in sys.argv[1:]:
        pitfalls()
    elif "--exercise" in sys.argv[1:]:
        exercises(sys.argv[sys.argv.index("--exercise") + 1])
    else:
        # --8<-- [start:demo]

        ds = toy_dataset(10)                             # x_n = (n, 10 n), y_n = n mod 3
        print(f"len(ds) = {len(ds)}, ds[7] = {ds[7]}")
        loader = SimpleDataLoader(ds, batch_size=4, shuffle=True, seed=0)
        for epoch in (1, 2):                             # a new order each epoch, the same on every run
            print(f"epoch {epoch}:", [y_b.tolist() for _, y_b in loader], "(labels of each batch)")
        X_b, y_b = next(iter(SimpleDataLoader(ds, batch_size=4)))
        print("first batch, shuffle=False: X_b =", X_b.tolist(), "y_b =", y_b.tolist())
        y = np.array([2, 0, 1, 2])
        print("one_hot(y, 3) =", one_hot(y, 3).tolist(), "-> to_index:", to_index(one_hot(y, 3)).tolist())
        # --8<-- [end:demo]
        print()
        # --8<-- [start:demo_torch]

        train_loader, val_loader, test_loader = digits_loaders(batch_size=32, seed=0)
        X_b, y_b = next(iter(train_loader))
        print(f"batches: train {len(train_loader)}, val {len(val_loader)}, test {len(test_loader)}; "
              f"X_b {tuple(X_b.shape)} {X_b.dtype}, y_b {tuple(y_b.shape)} {y_b.dtype}")
        X_train = train_loader.dataset.X                        # (1259, 64), standardized
        print(f"per-pixel means of the training images: at most {X_train.mean(dim=0).abs().max():.1e}; "
              f"per-pixel stds: {sorted(set(X_train.std(dim=0, unbiased=False).round(decimals=4).tolist()))}")
        again = next(iter(digits_loaders(batch_size=32, seed=0)[0]))[1]
        print("same seed, same first batch:", torch.equal(y_b, again))
        Z = torch.randn(len(y_b), 10, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
        T_b = F.one_hot(y_b, num_classes=10).double()          # (B, 10) one-hot, as Keras to_categorical
        print(f"cross-entropy with index targets {F.cross_entropy(Z, y_b):.6f}, "
              f"with one-hot targets {F.cross_entropy(Z, T_b):.6f}")
        parts = random_split(train_loader.dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
        print("random_split of the training set:", [len(p) for p in parts])
        # --8<-- [end:demo_torch]
