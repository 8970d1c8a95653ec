"""Embeddings from scratch in NumPy: one-hot times a matrix is a row lookup, its gradient a scatter-add;
padding_idx, EmbeddingBag and weight tying, checked against nn.Embedding, nn.EmbeddingBag and torch.autograd
in float64; and a tiny tied character model trained on Python's own help texts.

Page: docs/architectures/embeddings.md (topic 23). Papers: Bengio et al. (2003), "A neural probabilistic
language model"; Mikolov et al. (2013), "Efficient estimation of word representations in vector space";
Press & Wolf (2017), "Using the output embedding to improve language models"; Inan, Khosravi & Socher (2017),
"Tying word vectors and word classifiers: a loss framework for language modeling".

    python code/architectures/embeddings.py              # demo: train a tied character model, neighbours
    python code/architectures/embeddings.py --cost       # lookup vs one-hot matmul: time and memory
    python code/architectures/embeddings.py --pitfalls   # out-of-range ids, float ids, padding, tying ...
    python code/architectures/embeddings.py --check      # max |difference| against PyTorch, float64
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import functools
import time
import timeit

import numpy as np
# --8<-- [end:imports]

# --8<-- [start:torch_imports]
import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]


# --8<-- [start:validation]
def check_ids(ids, V):
    """ids as an integer array whose every entry is a row of the table: an integer in [0, V)."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":            # float ids would silently truncate, bools would mask
        raise TypeError(f"ids must be integer token ids (an integer dtype such as int64), got dtype {ids.dtype}")
    bad = ids[(ids < 0) | (ids >= V)]         # NumPy would wrap -1 to the last row without a word
    if bad.size:
        raise ValueError(f"ids must be integer indices in [0, V) = [0, {V}), got {bad.flat[0]}")
    return ids


def check_table(E):
    E = np.asarray(E, dtype=np.float64)
    if E.ndim != 2:
        raise ValueError(f"the embedding table E must have shape (V, d), got shape {E.shape}")
    return E
# --8<-- [end:validation]


# --8<-- [start:one_hot]
def one_hot(ids, V):
    """eq. (1): entry j of the one-hot vector of id i is [j = i]; ids (N, T) -> (N, T, V) float64."""
    ids = check_ids(ids, V)
    return (ids[..., None] == np.arange(V)).astype(np.float64)   # compare each id with 0, 1, ..., V-1
# --8<-- [end:one_hot]


# --8<-- [start:lookup]
def embedding_forward(ids, E):
    """eq. (3): Y = E[ids], row ids[n, t] of E for every position; (N, T) ids -> (N, T, d)."""
    E = check_table(E)
    return E[check_ids(ids, E.shape[0])]                           # a copy of N*T rows, no arithmetic


def embedding_backward(ids, dY, V, padding_idx=None):
    """eqs. (5)-(6): dE = one_hot(ids)^T dY, done as a scatter-add: row j of dE is the sum of the upstream
    gradients dY at every position that holds id j; rows never looked up get 0; so does padding_idx."""
    ids = check_ids(ids, V)
    dY = np.asarray(dY, dtype=np.float64)
    if dY.shape[:-1] != ids.shape:
        raise ValueError(f"dY must have shape ids.shape + (d,) = {ids.shape} + (d,), got {dY.shape}")
    dE = np.zeros((V, dY.shape[-1]))                               # (V, d), the shape of E
    np.add.at(dE, ids.reshape(-1), dY.reshape(-1, dY.shape[-1]))   # unbuffered: repeated ids add up
    if padding_idx is not None:
        dE[padding_idx] = 0.0                                      # eq. (6): the pad row is never trained
    return dE
# --8<-- [end:lookup]


# --8<-- [start:bag]
def bags(ids, offsets):
    """The bag of each position, and the sizes L_b: bag b is ids[offsets[b]:offsets[b+1]], the last to the end."""
    ends = np.append(offsets, len(ids))
    if ends[0] != 0 or np.any(np.diff(ends) < 0):
        raise ValueError(f"offsets must start at 0 and never decrease (at most len(ids) = {len(ids)}), "
                         f"got {list(offsets)}")
    L = np.diff(ends)                                              # (B,) bag sizes, 0 for an empty bag
    return np.repeat(np.arange(len(L)), L), L                      # (n,) bag of each position, (B,)


def embedding_bag(ids, offsets, E, mode="mean"):
    """eq. (7): each bag's sum, or mean, of its rows of E; an empty bag gives zeros, as in PyTorch."""
    E = check_table(E)
    ids = check_ids(ids, E.shape[0])
    bag, L = bags(ids, offsets)
    out = np.zeros((len(L), E.shape[1]))                           # (B, d)
    np.add.at(out, bag, E[ids])                                    # the sum of each bag's rows
    return out / np.maximum(L, 1)[:, None] if mode == "mean" else out


def embedding_bag_backward(ids, offsets, dO, V, mode="mean"):
    """eq. (8): every id in bag b receives dO[b] (divided by L_b in mean mode), added up per row."""
    bag, L = bags(check_ids(ids, V), offsets)
    share = dO / np.maximum(L, 1)[:, None] if mode == "mean" else dO   # (B, d)
    return embedding_backward(ids, share[bag], V)                  # scatter-add, eq. (5)
# --8<-- [end:bag]


# --8<-- [start:tied_lm]
def log_softmax(Z):
    """log softmax of each row, shifted by the row's maximum so that exp never overflows."""
    Z = Z - Z.max(axis=-1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=-1, keepdims=True))


def tied_lm_loss_and_grads(x, t, E, A, c, b):
    """Bengio et al. (2003)-style, tied, eqs. (9)-(12): x (N, k) context ids, t (N,) next ids, E (V, d) used
    twice, A (k d, d), c (d,), b (V,). Mean cross-entropy, its gradients, and dE's two parts."""
    E = check_table(E)
    V, d = E.shape
    x, t = check_ids(x, V), check_ids(t, V)
    if x.ndim != 2 or t.shape != x.shape[:1]:
        raise ValueError(f"x must have shape (N, k) and t shape (N,), got {x.shape} and {t.shape}")
    N, k = x.shape
    Y = E[x].reshape(N, k * d)                     # (N, k d): the k context vectors side by side
    H = np.tanh(Y @ A + c)                         # (N, d)
    log_p = log_softmax(H @ E.T + b)               # (N, V): the output layer is E^T, eq. (9)
    loss = -log_p[np.arange(N), t].mean()
    dZ = (np.exp(log_p) - one_hot(t, V)) / N       # softmax minus one-hot, for the mean over N
    dE_out = dZ.T @ H                              # (V, d): through the output layer, eq. (10)
    dU = (dZ @ E) * (1 - H ** 2)                   # (N, d): through E^T, then tanh' = 1 - tanh^2
    dE_in = embedding_backward(x, (dU @ A.T).reshape(N, k, d), V)   # through the lookup, eq. (11)
    grads = {"E": dE_in + dE_out, "A": Y.T @ dU, "c": dU.sum(axis=0), "b": dZ.sum(axis=0)}
    return loss, grads, dE_in, dE_out
# --8<-- [end:tied_lm]


# --8<-- [start:char_lm]
class CharLM(nn.Module):
    """The same model in PyTorch: k context ids -> k embeddings side by side -> tanh layer -> logits.
    With tied=True the output layer's weight IS the embedding's weight: one Parameter, used twice."""

    def __init__(self, V, d, k, tied=True):
        super().__init__()
        self.embedding = nn.Embedding(V, d)              # E: (V, d)
        self.hidden = nn.Linear(k * d, d)                # weight A^T: (d, k d), bias c
        self.lm_head = nn.Linear(d, V)                   # weight (V, d): already E's shape, bias b
        if tied:
            self.lm_head.weight = self.embedding.weight  # share, do not copy (Pitfall 5)

    def forward(self, x):                                # x: (N, k) integer ids
        H = torch.tanh(self.hidden(self.embedding(x).flatten(1)))   # (N, d)
        return self.lm_head(H)                           # (N, V) logits = H E^T + b


def count_parameters(model):
    """How many numbers the model learns; .parameters() yields a shared Parameter only once."""
    return sum(p.numel() for p in model.parameters())
# --8<-- [end:char_lm]


# --8<-- [start:data]
def load_text():
    """Python's own help texts (what help('topics') shows): they ship with Python, nothing to download."""
    from pydoc_data.topics import topics
    return "".join(topics[key] for key in sorted(topics))


def char_windows(text, k):
    """The vocabulary (every distinct character) and all windows of k context ids plus the next id,
    split 90/10 into training and validation without shuffling (validation is the end of the text)."""
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}                    # character -> its row of E
    ids = np.array([index[ch] for ch in text])
    windows = np.lib.stride_tricks.sliding_window_view(ids, k + 1).copy()   # (len - k, k + 1)
    split = int(0.9 * len(windows))
    return vocab, windows[:split], windows[split:]


def baseline_losses(train, val, V):
    """Validation cross-entropy of two counting models (add-one smoothed): the unigram frequency of each
    character, and the bigram table P(next | previous character)."""
    unigram = np.bincount(train[:, -1], minlength=V) + 1.0
    bigram = np.ones((V, V))
    np.add.at(bigram, (train[:, -2], train[:, -1]), 1.0)
    unigram, bigram = unigram / unigram.sum(), bigram / bigram.sum(axis=1, keepdims=True)
    return -np.log(unigram[val[:, -1]]).mean(), -np.log(bigram[val[:, -2], val[:, -1]]).mean()
# --8<-- [end:data]


# --8<-- [start:train]
@functools.lru_cache(maxsize=1)
def train_char_lm(k=3, d=16, steps=800, batch=256, lr=1e-2, seed=0):
    """Train CharLM (tied) with Adam on random windows; return the model, vocabulary, losses and timing."""
    vocab, train, val = char_windows(load_text(), k)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                      # tiny matrices: more threads only wait for each other
    try:
        torch.manual_seed(seed)
        model, rng = CharLM(len(vocab), d, k), np.random.default_rng(seed)
        with torch.no_grad():                     # rows of norm ~1, not ~sqrt(d): small first logits (Ex. 3)
            model.embedding.weight.normal_(0.0, d ** -0.5)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        start = time.perf_counter()
        for _ in range(steps):
            w = torch.from_numpy(train[rng.integers(0, len(train), batch)])   # (batch, k + 1)
            optimizer.zero_grad()
            F.cross_entropy(model(w[:, :k]), w[:, k]).backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            v = torch.from_numpy(val)
            val_loss = F.cross_entropy(model(v[:, :k]), v[:, k]).item()
    finally:
        torch.set_num_threads(threads)            # the site's build runs many modules in one process
    return {"model": model, "vocab": vocab, "val_loss": val_loss, "seconds": seconds,
            "examples": steps * batch, "baselines": baseline_losses(train, val, len(vocab))}
# --8<-- [end:train]


# --8<-- [start:neighbours]
def cosine_similarity(E):
    """eq. (13): S[i, j] = E[i] . E[j] / (|E[i]| |E[j]|), the cosine of the angle between two rows."""
    E_unit = E / np.linalg.norm(E, axis=1, keepdims=True)
    return E_unit @ E_unit.T                                   # (V, V)


def nearest(E, vocab, query, n=5):
    """The n entries whose vectors point most nearly the same way as query's."""
    S, i = cosine_similarity(E), vocab.index(query)
    order = [j for j in np.argsort(-S[i]) if j != i][:n]
    return [(vocab[j], S[i, j]) for j in order]
# --8<-- [end:neighbours]


# --8<-- [start:cost]
def lookup_vs_one_hot(Vs=(100, 1000, 10000, 50257), n=256, d=64):
    """Seconds for F.embedding (a lookup) and F.one_hot(ids).float() @ E (a matmul) on n ids, float32,
    one thread, the best of 3 runs (the least disturbed by other work); and the MB of the one-hot matrix."""
    threads, rows = torch.get_num_threads(), []
    torch.set_num_threads(1)
    try:
        for V in Vs:
            E, ids = torch.randn(V, d), torch.randint(V, (n,), generator=torch.Generator().manual_seed(V))
            t_lookup = min(timeit.repeat(lambda: F.embedding(ids, E), number=1, repeat=3))
            t_matmul = min(timeit.repeat(lambda: F.one_hot(ids, V).float() @ E, number=1, repeat=3))
            rows.append((V, t_lookup, t_matmul, n * V * 4 / 2 ** 20))   # (n, V) float32 = 4 bytes each
    finally:
        torch.set_num_threads(threads)
    return rows
# --8<-- [end:cost]


# --8<-- [start:ex_bag_matrix]
def bag_matrix(ids, offsets, V, mode="mean"):
    """Exercise 2: M (B, V) with M[b, j] = (count of j in bag b) / L_b (mean) or the count (sum),
    so that embedding_bag(ids, offsets, E) = M @ E and its gradient is M^T @ dO."""
    ids = check_ids(ids, V)
    bag, L = bags(ids, offsets)
    M = np.zeros((len(L), V))
    np.add.at(M, (bag, ids), 1.0)                                  # counts
    return M / np.maximum(L, 1)[:, None] if mode == "mean" else M
# --8<-- [end:ex_bag_matrix]


# --8<-- [start:ex_init]
def initial_tied_loss(V, d, std, N=2000, seed=0):
    """Exercise 3: the loss at initialization of the barest tied model, logits = E[x] E^T, with
    E ~ N(0, std^2), random inputs x and random targets t (a model that has learned nothing)."""
    rng = np.random.default_rng(seed)
    E = rng.normal(0.0, std, (V, d))
    x, t = rng.integers(0, V, N), rng.integers(0, V, N)
    log_p = log_softmax(E[x] @ E.T)                            # (N, V); logit of x itself: |E[x]|^2
    return -log_p[np.arange(N), t].mean()
# --8<-- [end:ex_init]


# --8<-- [start:ex_categorical]
def one_hot_linear(columns, sizes, W):
    """Exercise 4: a linear layer W (h, V_1 + ... + V_m) on the one-hot vectors of m categorical columns
    (N, m), side by side; it equals the SUM of one lookup per column in the column blocks of W^T."""
    columns = np.asarray(columns)
    X = np.concatenate([one_hot(columns[:, c], V_c) for c, V_c in enumerate(sizes)], axis=1)
    return X @ W.T                                             # (N, sum V_c) @ (sum V_c, h)
# --8<-- [end:ex_categorical]


# --8<-- [start:pitfall_tying]
def tying_drift(tie, V=10, d=4, steps=5):
    """Pitfall 5: max |lm_head.weight - embedding.weight| after a few SGD steps, tied by 'copy' or 'share'."""
    torch.manual_seed(0)
    emb, head = nn.Embedding(V, d), nn.Linear(d, V, bias=False)
    # a copy is equal today but is a second tensor for ever; sharing makes one tensor with two uses
    head.weight = nn.Parameter(emb.weight.detach().clone()) if tie == "copy" else emb.weight
    optimizer = torch.optim.SGD(nn.ModuleList([emb, head]).parameters(), lr=0.5)
    for _ in range(steps):
        x, t = torch.randint(V, (16,)), torch.randint(V, (16,))
        optimizer.zero_grad()
        F.cross_entropy(head(emb(x)), t).backward()
        optimizer.step()
    return (head.weight - emb.weight).abs().max().item()
# --8<-- [end:pitfall_tying]


def plot_learned_vectors():
    """The trained vectors of digits, vowels, common consonants, capitals and brackets, projected on their
    first two principal components (the plane in which they vary most)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    run = train_char_lm()
    E, vocab = run["model"].embedding.weight.detach().numpy().astype(np.float64), run["vocab"]
    groups = {"digits": "0123456789", "vowels": "aeiou", "other lowercase": "bcdfghlmnprstwy",
              "capitals": "ACEFINPST", "brackets": "()[]{}"}
    X = E[[vocab.index(ch) for ch in "".join(groups.values())]]
    X = X - X.mean(axis=0)
    P = X @ np.linalg.svd(X, full_matrices=False)[2][:2].T    # (n, 2): coordinates on the two axes
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for (label, members), color in zip(groups.items(), ["C0", "C3", "C2", "C4", "C1"]):
        for ch in members:
            u, v = P["".join(groups.values()).index(ch)]
            ax.text(u, v, ch, color=color, fontsize=11, ha="center", va="center", fontweight="bold")
        ax.plot([], [], "s", color=color, label=label)        # a legend entry for the group
    ax.scatter(P[:, 0], P[:, 1], s=0)                         # invisible: sets the axis limits for the text
    ax.set(xlabel="principal component 1", ylabel="principal component 2")
    ax.legend(frameon=False, fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


def check_rows():
    """(name, from scratch, PyTorch) for every value and gradient, float64."""
    rng, V, d, k = np.random.default_rng(0), 7, 3, 2
    E, ids, dY = rng.normal(size=(V, d)), rng.integers(0, V, (2, 5)), rng.normal(size=(2, 5, d))
    emb = nn.Embedding.from_pretrained(torch.tensor(E), freeze=False, padding_idx=0)
    Y = emb(torch.from_numpy(ids))
    (Y * torch.from_numpy(dY)).sum().backward()                 # J = sum(dY * Y), so dJ/dY = dY
    one_hot_E = F.one_hot(torch.from_numpy(ids), V).double() @ torch.from_numpy(E)
    rows = [("lookup E[ids]", embedding_forward(ids, E), Y.detach()),
            ("one_hot(ids) @ E", one_hot(ids, V) @ E, one_hot_E),
            ("dE (scatter-add, padding_idx=0)", embedding_backward(ids, dY, V, padding_idx=0), emb.weight.grad)]
    flat, offsets, dO = ids.reshape(-1), [0, 3, 3, 8], rng.normal(size=(4, d))
    bag = nn.EmbeddingBag.from_pretrained(torch.tensor(E), freeze=False, mode="mean")
    O = bag(torch.from_numpy(flat), torch.tensor(offsets))     # bags of 3, 0, 5 and 2 ids
    (O * torch.from_numpy(dO)).sum().backward()
    rows += [("EmbeddingBag mean", embedding_bag(flat, offsets, E), O.detach()),
             ("EmbeddingBag mean dE", embedding_bag_backward(flat, offsets, dO, V), bag.weight.grad)]
    model, x, t = CharLM(V, d, k).double(), rng.integers(0, V, (6, k)), rng.integers(0, V, 6)
    loss_t = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(t))
    loss_t.backward()
    E_t, A_t, c_t, b_t = (p.detach().numpy() for p in model.parameters())   # E counted once: it is tied
    loss, grads, dE_in, dE_out = tied_lm_loss_and_grads(x, t, E_t, A_t.T, c_t, b_t)
    untied = CharLM(V, d, k, tied=False).double()
    untied.load_state_dict(model.state_dict())                 # same values, but two separate tables
    F.cross_entropy(untied(torch.from_numpy(x)), torch.from_numpy(t)).backward()
    return rows + [("tied model loss", loss, loss_t.item()),
                   ("tied model dE = dE_in + dE_out", grads["E"], model.embedding.weight.grad),
                   ("dE_in vs untied embedding grad", dE_in, untied.embedding.weight.grad),
                   ("dE_out vs untied lm_head grad", dE_out, untied.lm_head.weight.grad),
                   ("tied model dA", grads["A"], model.hidden.weight.grad.T),
                   ("tied model db", grads["b"], model.lm_head.bias.grad)]


def check():
    """Print, for every from-scratch quantity, the max |difference| against PyTorch."""
    print(f"{'from scratch vs PyTorch, float64':34} {'max |difference|':>16}")
    for name, ours, theirs in check_rows():
        print(f"{name:34} {np.max(np.abs(np.asarray(ours) - np.asarray(theirs))):16.1e}")


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--cost" in sys.argv[1:]:
        # --8<-- [start:demo_cost]
        print(f"{'V':>6} {'lookup':>10} {'one-hot @ E':>12} {'ratio':>7} {'one-hot MB':>11}")
        for V, t_lookup, t_matmul, megabytes in lookup_vs_one_hot():
            print(f"{V:6d} {t_lookup * 1e3:8.3f}ms {t_matmul * 1e3:10.3f}ms {t_matmul / t_lookup:6.0f}x "
                  f"{megabytes:11.1f}")
        # --8<-- [end:demo_cost]
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        torch.manual_seed(0)
        E = np.arange(15.0).reshape(5, 3)                      # V = 5: the valid ids are 0, 1, 2, 3, 4
        lookups = {"nn.Embedding(5, 3)": lambda i: nn.Embedding(5, 3)(torch.tensor(i)),
                   "embedding_forward": lambda i: embedding_forward(np.array(i), E)}
        for bad in ([5], [-1], [1.0]):                         # too large, negative, not an integer
            for name, lookup in lookups.items():
                try:
                    lookup(bad)
                except (IndexError, RuntimeError, ValueError, TypeError) as error:
                    print(f"1. {name} of {bad}: {type(error).__name__}: {error}")
        print("2. plain NumPy E[[-1]] silently returns the last row:", E[[-1]])
        ids = torch.tensor([[4, 2, 0, 0]])                     # a sentence of 2 tokens, padded with id 0
        for padding_idx in (None, 0):
            emb = nn.Embedding(5, 3, padding_idx=padding_idx)
            emb(ids).sum().backward()
            print(f"3. padding_idx={padding_idx}: gradient of the pad row = {emb.weight.grad[0].tolist()}")
        dE = np.zeros((5, 3))
        dE[[2, 2]] += np.ones((2, 3))                          # buffered: the repeated id is written once
        print("4. dE[ids] += dY with ids = [2, 2]: row 2 =", dE[2], "; np.add.at: row 2 =",
              embedding_backward(np.array([2, 2]), np.ones((2, 3)), 5)[2])
        for tie in ("copy", "share"):
            print(f"5. tied by {tie}: max |lm_head.weight - embedding.weight| after 5 steps = {tying_drift(tie):.3f}")
        emb, head = nn.Embedding(10, 16), nn.Linear(32, 10)
        head.weight = emb.weight                               # accepted: no shape check here ...
        try:
            head(torch.randn(2, 32))                           # ... the first forward pass fails
        except RuntimeError as error:
            print("6. a (10, 16) table tied to nn.Linear(32, 10):", error)
        print(f"7. one-hot of 8 x 1024 tokens with V = 50257 in float32: {8 * 1024 * 50257 * 4 / 2 ** 30:.2f} GiB")
        emb = nn.Embedding(5, 3, max_norm=1.0)
        before = emb.weight.detach().norm(dim=1).numpy().round(2)
        with torch.no_grad():                                  # no training, yet the weight changes
            emb(torch.tensor([0, 1]))
        print("8. max_norm=1, row norms before:", before, "after a lookup of [0, 1]:",
              emb.weight.detach().norm(dim=1).numpy().round(2))
        # --8<-- [end:demo_pitfalls]
    elif "--ex1" in sys.argv[1:]:
        # --8<-- [start:demo_ex1]
        ids, dY = np.array([2, 0, 2]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])   # (T,), (T, d)
        print("dE =\n", embedding_backward(ids, dY, V=4))
        # --8<-- [end:demo_ex1]
    elif "--ex3" in sys.argv[1:]:
        # --8<-- [start:demo_ex3]
        V, d = 1000, 64
        for std in (1.0, 0.02):
            print(f"V = {V}, d = {d}, std = {std}: loss at initialization {initial_tied_loss(V, d, std):.3f}, "
                  f"ln V = {np.log(V):.3f}, d std^2 = {d * std ** 2:.3f}")
        # --8<-- [end:demo_ex3]
    else:
        # --8<-- [start:demo]
        run = train_char_lm()                                  # 800 steps of 256 windows, about a second
        model, vocab = run["model"], run["vocab"]
        E, (V, d) = model.embedding.weight.detach().double().numpy(), model.embedding.weight.shape  # (V, d)
        untied = count_parameters(CharLM(V, d, 3, tied=False))
        print(f"tied character model: V = {V}, d = {d}, k = 3; {count_parameters(model)} parameters "
              f"(untied: {untied}, V*d = {V * d} more)")
        print(f"trained on {run['examples']} windows in {run['seconds']:.2f} s: "
              f"{run['seconds'] / run['examples'] * 1e3:.4f} ms per training example, 1 CPU thread")
        unigram, bigram = run["baselines"]
        print(f"validation cross-entropy (nats per character): unigram counts {unigram:.3f}, "
              f"bigram counts {bigram:.3f}, tied model {run['val_loss']:.3f}")
        for query in ["0", "a", "T", "(", " "]:
            print(f"nearest to {query!r}:", ", ".join(f"{ch!r} {s:.2f}" for ch, s in nearest(E, vocab, query)))
        # --8<-- [end:demo]
