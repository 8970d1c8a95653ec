"""Recurrent networks from scratch: the RNN cell with backpropagation through time (BPTT) by hand, LSTM and GRU
cells in PyTorch's gate order (written once for an array library xp: NumPy, or torch so that autograd checks
them against nn.LSTM and nn.GRU), the vanishing gradient measured in time, and a character-level GRU language
model trained on Python's own documentation (pydoc_data.topics, no download).

Page: docs/architectures/recurrent-networks.md (topic 22). Papers: Elman (1990); Werbos (1990), BPTT;
Bengio, Simard & Frasconi (1994); Hochreiter & Schmidhuber (1997), LSTM; Gers, Schmidhuber & Cummins (2000),
the forget gate; Pascanu, Mikolov & Bengio (2013); Cho et al. (2014), the GRU.

    python code/architectures/recurrent_networks.py [--torch]    # demo: an RNN unrolled, BPTT by hand [nn.RNN]
    python code/architectures/recurrent_networks.py --check      # max |difference| against PyTorch, float64
    python code/architectures/recurrent_networks.py --lm         # train the character-level GRU (~5-10 s)
    python code/architectures/recurrent_networks.py --pitfalls   # batch_first, detach, exploding, h_n, gates
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import math

import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import time

import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]
# --8<-- [start:validation]


def _check(X, h0, W_ih, W_hh, b_ih, b_hh, G, name):
    """nn.RNN/LSTM/GRU's layout, G gate blocks: X (T, N, D), h0 (N, H), W_ih (G*H, D), W_hh (G*H, H), b (G*H,)."""
    dtypes = [getattr(a, "dtype", None) for a in (X, h0, W_ih, W_hh, b_ih, b_hh)]
    if not all(getattr(d, "is_floating_point", getattr(d, "kind", "") == "f") for d in dtypes):  # torch, numpy
        raise TypeError(f"{name}: inputs, states and weights must be floating-point NumPy arrays or torch "
                        f"tensors (float64 to match PyTorch exactly), got dtypes {[str(d) for d in dtypes]}")
    if X.ndim != 3 or h0.ndim != 2 or h0.shape[0] != X.shape[1]:
        raise ValueError(f"{name}: X must have shape (T, N, D) = (time steps, batch, features) and h0 shape "
                         f"(N, H), got X {tuple(X.shape)} and h0 {tuple(h0.shape)}")
    (T, N, D), H = X.shape, h0.shape[1]
    for key, a, want in zip(["W_ih", "W_hh", "b_ih", "b_hh"], (W_ih, W_hh, b_ih, b_hh), [(G * H, D), (G * H, H),
                                                                                         (G * H,), (G * H,)]):
        if tuple(a.shape) != want:
            raise ValueError(f"{name}: {key} must have shape {want} (G = {G} gate blocks of H = {H} rows, "
                             f"D = {D} inputs), got {tuple(a.shape)}")
# --8<-- [end:validation]
# --8<-- [start:gates]


def sigmoid(z, xp=np):
    """sigma(z) = 1 / (1 + e^-z) written as (1 + tanh(z/2)) / 2: the same function, and no exp to overflow
    at z = -1e4. xp is the array library: np, or torch so that autograd can differentiate it."""
    return 0.5 * (1 + xp.tanh(0.5 * z))


def split_gates(a, G):
    """(N, G*H) -> G blocks of (N, H), in the order the weight rows are stacked."""
    H = a.shape[1] // G
    return [a[:, k * H:(k + 1) * H] for k in range(G)]


def init_weights(G, D, H, rng):
    """PyTorch's default for nn.RNN/LSTM/GRU: W_ih, W_hh, b_ih, b_hh all uniform in (-1/sqrt(H), 1/sqrt(H))."""
    return [rng.uniform(-1 / math.sqrt(H), 1 / math.sqrt(H), s) for s in [(G * H, D), (G * H, H), (G * H,), (G * H,)]]
# --8<-- [end:gates]
# --8<-- [start:rnn]


def rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh, xp=np):
    """The Elman RNN, eq. (1), unrolled over T steps: Y (T, N, H) holds every h_t, and h_T (N, H)."""
    _check(X, h0, W_ih, W_hh, b_ih, b_hh, 1, "rnn_forward")
    h, hs = h0, []
    for x_t in X:                                               # x_t (N, D): the SAME weights at every step
        h = xp.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)    # (N, H)
        hs.append(h)
    return xp.stack(hs), h
# --8<-- [end:rnn]
# --8<-- [start:bptt]


def rnn_backward(dY, dh_T, X, h0, Y, W_ih, W_hh):
    """Backpropagation through time by hand, eqs. (4)-(8). dY (T, N, H) is dL/dY from the loss at each step
    (the direct part), dh_T (N, H) is dL/dh_T from anything that uses the final state. Returns the gradients
    (dX, dh0, dW_ih, dW_hh, db_ih, db_hh) and delta (T, N, H), delta[t] = dL/dh_t through all later steps."""
    dX, dW_ih, dW_hh = np.zeros_like(X), np.zeros_like(W_ih), np.zeros_like(W_hh)
    db, delta = np.zeros(W_hh.shape[0]), np.zeros_like(Y)
    d = dY[-1] + dh_T                                           # delta_T, eq. (4)
    for t in reversed(range(len(X))):
        delta[t] = d
        h_prev = Y[t - 1] if t > 0 else h0
        a = d * (1 - Y[t] ** 2)                                 # dL/dz_t, eq. (5): tanh' = 1 - tanh^2
        dW_ih += a.T @ X[t]                                     # eq. (7): shared weights SUM over steps
        dW_hh += a.T @ h_prev
        db += a.sum(axis=0)                                     # and over the batch
        dX[t] = a @ W_ih                                        # eq. (8)
        d = a @ W_hh + (dY[t - 1] if t > 0 else 0)              # one step back, eq. (6)
    return (dX, d, dW_ih, dW_hh, db, db.copy()), delta          # after the loop, d = dL/dh_0
# --8<-- [end:bptt]
# --8<-- [start:lstm]


def lstm_cell(x_t, h, c, W_ih, W_hh, b_ih, b_hh, xp=np):
    """One LSTM step exactly as nn.LSTM computes it, eqs. (10)-(11); rows of W_ih, W_hh are (i, f, g, o)."""
    a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh                 # (N, 4H): all four pre-activations at once
    i, f, g, o = split_gates(a, 4)                              # PyTorch's order: input, forget, cell, output
    i, f, g, o = sigmoid(i, xp), sigmoid(f, xp), xp.tanh(g), sigmoid(o, xp)
    c = f * c + i * g                                           # the additive cell-state path, eq. (11)
    return o * xp.tanh(c), c                                    # h_t, c_t: (N, H) each


def lstm_forward(X, h0, c0, W_ih, W_hh, b_ih, b_hh, xp=np):
    """nn.LSTM (one layer, time first): Y (T, N, H), h_T and c_T (N, H)."""
    _check(X, h0, W_ih, W_hh, b_ih, b_hh, 4, "lstm_forward")
    if tuple(c0.shape) != tuple(h0.shape):
        raise ValueError(f"lstm_forward: c0 must have h0's shape (N, H) = {tuple(h0.shape)}, got {tuple(c0.shape)}")
    h, c, hs = h0, c0, []
    for x_t in X:
        h, c = lstm_cell(x_t, h, c, W_ih, W_hh, b_ih, b_hh, xp)
        hs.append(h)
    return xp.stack(hs), h, c
# --8<-- [end:lstm]
# --8<-- [start:gru]


def gru_cell(x_t, h, W_ih, W_hh, b_ih, b_hh, xp=np, reset_after=True):
    """One GRU step exactly as nn.GRU computes it, eq. (13); rows of W_ih, W_hh are (r, z, n).
    reset_after=False is Cho et al. (2014) as published, Keras's reset_after=False, eq. (14) (Exercise 2)."""
    x_r, x_z, x_n = split_gates(x_t @ W_ih.T + b_ih, 3)        # (N, H) each: the input's part
    h_r, h_z, h_n = split_gates(h @ W_hh.T + b_hh, 3)           # the state's part, b_hn included
    r, z = sigmoid(x_r + h_r, xp), sigmoid(x_z + h_z, xp)       # reset and update gates
    if reset_after:                                             # PyTorch, cuDNN, Keras's default
        n = xp.tanh(x_n + r * h_n)                              # r * (W_hn h + b_hn): reset AFTER the matmul
    else:                                                       # W_hn (r * h) + b_hn: reset BEFORE it
        H = h.shape[1]
        n = xp.tanh(x_n + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
    return (1 - z) * n + z * h                                  # z = 1 keeps the old state


def gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh, xp=np, reset_after=True):
    """nn.GRU (one layer, time first): Y (T, N, H) and h_T (N, H)."""
    _check(X, h0, W_ih, W_hh, b_ih, b_hh, 3, "gru_forward")
    h, hs = h0, []
    for x_t in X:
        h = gru_cell(x_t, h, W_ih, W_hh, b_ih, b_hh, xp, reset_after)
        hs.append(h)
    return xp.stack(hs), h
# --8<-- [end:gru]
# --8<-- [start:vanishing]


def rnn_gradient_in_time(X, h0, W_ih, W_hh, b_ih, b_hh, w):
    """||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0..T-1, with L = sum(w * h_T): hand BPTT's deltas, eq. (9)."""
    Y, _ = rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh)
    _, delta = rnn_backward(np.zeros_like(Y), w, X, h0, Y, W_ih, W_hh)
    norms = np.linalg.norm(delta.reshape(len(X), -1), axis=1)[::-1]     # k = T - t = 0, 1, ...
    return norms / norms[0]


def lstm_gradient_in_time(X, h0, c0, W_ih, W_hh, b_ih, b_hh, w):
    """The same for the LSTM, by autograd through lstm_cell on float64 torch tensors."""
    as_t = lambda a: torch.tensor(a, dtype=torch.float64)       # noqa: E731
    h, c = as_t(h0).requires_grad_(), as_t(c0)                  # h0 needs a gradient for h_t to have one
    params, hs = [as_t(p) for p in (W_ih, W_hh, b_ih, b_hh)], []
    for x_t in as_t(X):
        h, c = lstm_cell(x_t, h, c, *params, xp=torch)
        h.retain_grad()                                         # keep dL/dh_t of this intermediate tensor
        hs.append(h)
    (as_t(w) * h).sum().backward()
    norms = np.array([float(h.grad.norm()) for h in hs])[::-1]
    return norms / norms[0]
# --8<-- [end:vanishing]
# --8<-- [start:char_data]


def encode_split(train_fraction=0.9):
    """Python's own help texts (pydoc_data ships with CPython: no download) as character ids, the first 90% for
    training and the last 10% for validation."""
    from pydoc_data.topics import topics                        # a dict: topic name -> text
    text = "".join(topics[key] for key in sorted(topics))      # sorted keys: the same text every time
    chars = sorted(set(text))                                   # the vocabulary, V characters
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([stoi[ch] for ch in text])               # (len(text),) int64
    n = int(train_fraction * len(ids))
    return ids[:n], ids[n:], chars


def baselines(train, val, V):
    """Validation loss (nats per character) of two models that ignore the context: uniform, eq. (16), and
    unigram (training frequencies, plus one so an unseen character is not infinitely surprising), eq. (17)."""
    counts = torch.bincount(train, minlength=V).double() + 1
    log_p = (counts / counts.sum()).log()                       # (V,) log-probabilities
    return math.log(V), float(-log_p[val[1:]].mean())     # the characters the model predicts
# --8<-- [end:char_data]
# --8<-- [start:char_model]


class CharGRU(nn.Module):
    """Embedding -> GRU -> Linear: at every position, scores (logits) for the next character."""
    def __init__(self, V, E=32, H=96):
        super().__init__()
        self.embed = nn.Embedding(V, E)             # id -> row of a (V, E) matrix = one-hot(id) @ matrix
        self.rnn = nn.GRU(E, H, batch_first=True)   # batch_first: (N, T, E) in, (N, T, H) out
        self.head = nn.Linear(H, V)

    def forward(self, ids, h=None):                 # ids (N, T) int64; h (1, N, H), None = zeros
        out, h = self.rnn(self.embed(ids), h)       # out: h_t at every t; h: h_T only
        return self.head(out), h                    # logits (N, T, V), state (1, N, H)


def validation_loss(model, val, V, streams=16):
    """Mean cross-entropy (nats per character) over the WHOLE validation split: every character but the first
    is predicted once, reading the split as `streams` contiguous pieces, each from a zero state."""
    x, y = val[:-1], val[1:]                                    # predict val[j + 1] from val[..j]
    L = -(-len(x) // streams)                                   # ceil: the last piece is padded
    x = F.pad(x, (0, streams * L - len(x))).view(streams, L)
    y = F.pad(y, (0, streams * L - len(y)), value=-100).view(streams, L)   # -100: ignored by cross_entropy
    with torch.no_grad():
        logits, _ = model(x)
    return float(F.cross_entropy(logits.reshape(-1, V), y.reshape(-1)))
# --8<-- [end:char_model]
# --8<-- [start:char_train]


def train_char_lm(steps=200, N=32, T=32, lr=1e-2, seed=0, log_every=50):
    """Truncated BPTT: the training text as N parallel streams, cut into chunks of T characters; the state
    flows from chunk to chunk, the gradient does not (detach). Adam, global-norm clipping at 1."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)                                    # timings for one CPU thread
    try:
        torch.manual_seed(seed)
        train, val, chars = encode_split()
        V, model = len(chars), CharGRU(len(chars))
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        streams = train[: len(train) // N * N].view(N, -1)      # (N, len/N): row n is one long stream
        h, log, start, cpu = None, [], time.perf_counter(), time.process_time()
        for step in range(steps):
            pos = step * T % (streams.shape[1] - T)             # chunk after chunk (wrapping at the end)
            x, y = streams[:, pos:pos + T], streams[:, pos + 1:pos + T + 1]   # y = x shifted by one
            logits, h = model(x, h)
            h = h.detach()                                      # keep the state's value, cut its graph
            loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))   # eq. (15)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
            if step % log_every == 0 or step == steps - 1:
                log.append((step, loss.item()))
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return model, chars, dict(val_loss=validation_loss(model, val, V), log=log, wall=wall, cpu=cpu,
                                  chars_seen=steps * N * T, baselines=baselines(train, val, V),
                                  sizes=(len(train), len(val)))
    finally:
        torch.set_num_threads(threads)


def sample(model, chars, prompt, n=200, temperature=0.8, seed=0):
    """Generate n characters: feed the prompt, then draw each next one from softmax(logits / temperature)."""
    gen, h, text = torch.Generator().manual_seed(seed), None, prompt
    ids = torch.tensor([[chars.index(ch) for ch in prompt]])   # (1, len(prompt))
    with torch.no_grad():
        for _ in range(n):
            logits, h = model(ids, h)                           # only the new characters: h carries the rest
            ids = torch.multinomial(torch.softmax(logits[0, -1] / temperature, -1), 1, generator=gen).view(1, 1)
            text += chars[ids.item()]
    return text


def report(model, chars, r):
    """What `python code/architectures/recurrent_networks.py --lm` prints about a run of train_char_lm."""
    (uniform, unigram), (n_train, n_val) = r["baselines"], r["sizes"]
    print(f"corpus: pydoc_data.topics, {n_train + n_val:,} characters, V = {len(chars)}; train {n_train:,}, "
          f"validation {n_val:,}\nbaselines (validation, nats/char): uniform ln V = {uniform:.3f}, "
          f"unigram = {unigram:.3f}")
    for step, loss in r["log"]:
        print(f"  step {step:4d}  training loss {loss:.3f}")
    print(f"GRU validation loss: {r['val_loss']:.3f} nats/char = {r['val_loss'] / math.log(2):.2f} bits/char "
          f"(whole validation split), perplexity {math.exp(r['val_loss']):.1f}")
    print(f"training: {r['chars_seen']:,} predicted characters in {r['wall']:.1f} s wall ({r['cpu']:.1f} s CPU), "
          f"{1000 * r['wall'] / r['chars_seen']:.3f} ms per training character, 1 CPU thread")
    print("sample (temperature 0.8):\n" + sample(model, chars, "The ").replace("`" * 3, "'" * 3))
# --8<-- [end:char_train]
# --8<-- [start:pitfall_funcs]


def pitfalls():
    """The number behind each pitfall of the page, in a dict."""
    torch.manual_seed(0)
    x = torch.randn(2, 5, 3, dtype=torch.float64)              # a batch laid out (N, T, D) = (2, 5, 3)
    x2 = x + torch.tensor([1.0, 0.0], dtype=torch.float64)[:, None, None]   # change example 0 only
    leak = {}
    for bf in (False, True):                                    # False: nn.RNN reads x as (T, N, D)
        rnn = nn.RNN(3, 4, batch_first=bf).double()
        leak[bf] = (rnn(x)[0][1] - rnn(x2)[0][1]).abs().max().item()    # did "example 1" move?
    rnn, h = nn.RNN(3, 4, batch_first=True), None
    try:                                                        # truncated BPTT with no h.detach()
        for chunk in torch.randn(2, 10, 3).split(5, dim=1):    # two chunks (N, 5, D)
            out, h = rnn(chunk, h)                              # h still carries chunk 1's graph
            out.pow(2).mean().backward()                        # the 2nd backward reaches the freed graph
    except RuntimeError as error:
        no_detach = str(error).split(".")[0]
    out, (h_n, _) = nn.LSTM(3, 4, bidirectional=True)(torch.randn(6, 2, 3))   # (T, N, 2H), (2, N, H)
    gru, swapped, x = nn.GRU(3, 4), nn.GRU(3, 4), torch.randn(5, 2, 3)
    with torch.no_grad():                                       # rows (r | z | n) copied as (z | r | n)
        for name, p in gru.named_parameters():
            r, z, n = p.chunk(3)
            getattr(swapped, name).copy_(torch.cat([z, r, n]))
        swap = float((gru(x)[0] - swapped(x)[0]).abs().max())
    return dict(leak=leak, no_detach=no_detach, exploding=exploding_norms(), swap=swap,
                h_n_vs_last=(out[-1] - torch.cat([h_n[0], h_n[1]], 1)).abs().max().item(),
                h_n_vs_first=(out[0, :, 4:] - h_n[1]).abs().max().item())   # backward direction ends at t = 0


def exploding_norms(a=1.5, H=8, steps=(5, 10, 20)):
    """||dh_T/dh_0|| (spectral norm) for W_hh = a * orthogonal, zero input, tiny state (tanh' = 1): a^T."""
    g, f64 = torch.Generator().manual_seed(0), torch.float64
    W_hh = a * torch.linalg.qr(torch.randn(H, H, generator=g, dtype=f64))[0]   # orthogonal times a: sigma_max = a
    h0, zero = 1e-8 * torch.randn(1, H, generator=g, dtype=f64), torch.zeros(1, H, dtype=f64)   # tanh' = 1
    X = torch.zeros(max(steps), 1, 1, dtype=f64)                # zero input (D = 1), zero biases
    h_T = lambda T: lambda h: rnn_forward(X[:T], h, zero.T, W_hh, zero[0], zero[0], xp=torch)[1][0]   # noqa: E731
    return [float(torch.linalg.matrix_norm(torch.autograd.functional.jacobian(h_T(T), h0)[:, 0], 2)) for T in steps]
# --8<-- [end:pitfall_funcs]


def plot_vanishing(T=60, D=8, H=32, N=8):
    """||dL/dh_{T-k}|| / ||dL/dh_T|| against k at PyTorch's initialization, random inputs: RNN (default W_hh, and
    sigma_max(W_hh) = 0.9 with its bound) and LSTM with forget bias 0 (PyTorch), +1 (Keras) and +3."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    torch.set_num_threads(1)                                    # tiny matrices: extra threads only wait
    rng = np.random.default_rng(0)
    X, w, zeros = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), np.zeros((N, H))
    rnn_w, lstm_w = init_weights(1, D, H, rng), init_weights(4, D, H, rng)
    scaled = [rnn_w[0], 0.9 * rnn_w[1] / np.linalg.norm(rnn_w[1], 2), *rnn_w[2:]]
    k, curves = np.arange(0, T, 3), []                          # (label, style, color, values at k)
    curves.append((f"RNN, default $W_{{hh}}$, $\\sigma_{{max}}$ = {np.linalg.norm(rnn_w[1], 2):.2f}", "o-", "#c62828",
                   rnn_gradient_in_time(X, zeros, *rnn_w, w)[k]))
    curves.append(("RNN, $\\sigma_{max}(W_{hh})$ = 0.9", "s-", "#ef6c00",
                   rnn_gradient_in_time(X, zeros, *scaled, w)[k]))
    curves.append(("bound $0.9^k$, eq. (9)", ":", "#ef6c00", 0.9 ** k))
    for b_f, color in [(0.0, "#90caf9"), (1.0, "#1e88e5"), (3.0, "#0d47a1")]:
        b_ih = lstm_w[2].copy()
        b_ih[H:2 * H] += b_f                                    # the forget gate's rows: H..2H
        curves.append((f"LSTM, forget bias {b_f:+.0f}", "^-", color,
                       lstm_gradient_in_time(X, zeros, zeros, lstm_w[0], lstm_w[1], b_ih, lstm_w[3], w)[k]))
    fig, ax = plt.subplots(figsize=(7, 3))
    for label, style, color, values in curves:
        ax.semilogy(k, values, style, ms=3, color=color, label=label)
    ax.set(xlabel="k = T - t (steps back in time)", ylim=(1e-18, 3),
           ylabel="$\\|\\partial L / \\partial h_{T-k}\\| \\,/\\, \\|\\partial L / \\partial h_T\\|$")
    ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return fig


# --8<-- [start:compare]
def _backward(outs, leaves, upstream):
    """Backpropagate J = sum(upstream * outputs); return the outputs and dJ/d(each leaf) as arrays."""
    sum(torch.sum(o * torch.from_numpy(u)) for o, u in zip(outs, upstream)).backward()
    return [o.detach().numpy() for o in outs], [t.grad.numpy() for t in leaves]


def _theirs(Module, arrays, upstream):
    """The same through nn.RNN/LSTM/GRU with the weights copied in: arrays = X, h0, [c0,] W_ih, W_hh, b_ih, b_hh."""
    X, *states = [torch.tensor(a, requires_grad=True) for a in arrays[:-4]]
    m = Module(X.shape[2], states[0].shape[1]).double()
    params = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]   # the gates stacked in rows
    with torch.no_grad():
        for p, a in zip(params, arrays[-4:]):
            p.copy_(torch.from_numpy(a))
    hx = [s[None] for s in states]                              # (1, N, H): num_layers comes first
    Y, hn = m(X, tuple(hx) if len(hx) == 2 else hx[0])
    outs = [Y] + [s[0] for s in (hn if len(hx) == 2 else [hn])]
    return _backward(outs, [X, *states, *params], upstream)


def check_rows(T=5, N=3, D=4, H=5, seed=0):
    """(name, from scratch, PyTorch) for every output and gradient of the three cells, float64."""
    rng, rows = np.random.default_rng(seed), []
    for kind, G, Module, ours in [("RNN", 1, nn.RNN, rnn_forward), ("LSTM", 4, nn.LSTM, lstm_forward),
                                  ("GRU", 3, nn.GRU, gru_forward)]:
        states = [rng.normal(size=(N, H)) for _ in range(2 if kind == "LSTM" else 1)]    # nonzero h0 (, c0)
        arrays = [rng.normal(size=(T, N, D)), *states, *init_weights(G, D, H, rng)]
        upstream = [rng.normal(size=(T, N, H))] + [rng.normal(size=(N, H)) for _ in states]
        if kind == "RNN":                                       # the hand-derived BPTT, not autograd
            mine = list(rnn_forward(*arrays))
            mine_g = list(rnn_backward(*upstream, arrays[0], arrays[1], mine[0], *arrays[2:4])[0])
        else:                                                   # our equations on tensors, by autograd
            ts = [torch.tensor(a, requires_grad=True) for a in arrays]
            mine, mine_g = _backward(ours(*ts, xp=torch), ts, upstream)
        theirs, theirs_g = _theirs(Module, arrays, upstream)
        k = len(states) + 1                                     # outputs Y, h_n (, c_n); gradients likewise
        names = ["Y", "h_n", "c_n"][:k] + ["dX", "dh0", "dc0"][:k] + ["dW_ih", "dW_hh", "db_ih", "db_hh"]
        rows += [(f"{kind} {n}", a, b) for n, a, b in zip(names, mine + mine_g, theirs + theirs_g)]
    return rows


def check():
    print("from scratch vs nn.RNN / nn.LSTM / nn.GRU, float64, T=5 N=3 D=4 H=5, nonzero initial states\n"
          "(RNN gradients: hand-derived BPTT; LSTM and GRU: autograd through our equations)")
    for name, ours, theirs in check_rows():
        print(f"  {name:12} max |difference| = {np.max(np.abs(ours - theirs)):.1e}")
# --8<-- [end:compare]


if __name__ == "__main__":
    torch.set_num_threads(1)                                    # tiny matrices: extra threads only wait
    if "--check" in sys.argv[1:]:
        check()
    elif "--lm" in sys.argv[1:]:
        # --8<-- [start:demo_lm]
        report(*train_char_lm())
        # --8<-- [end:demo_lm]
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        p = pitfalls()
        print(f"1. (N, T, D) batch into nn.RNN(batch_first=False): change example 0 and example 1's output moves "
              f"by {p['leak'][False]:.3f}; with batch_first=True: {p['leak'][True]:.3f}")
        print("2. no detach between chunks:", p["no_detach"])
        print("3. ||dh_T/dh_0|| with sigma_max(W_hh) = 1.5, T = 5, 10, 20:", [round(v) for v in p["exploding"]])
        print(f"4. bidirectional LSTM: max |output[-1] - h_n| = {p['h_n_vs_last']:.3f}; "
              f"backward direction's h_n vs output[0]: {p['h_n_vs_first']:.3f}")
        print(f"5. GRU weights with r and z swapped: max |output difference| = {p['swap']:.3f}")
        # --8<-- [end:demo_pitfalls]
    elif "--torch" in sys.argv[1:]:
        # --8<-- [start:demo_torch]
        torch.manual_seed(0)
        T, N, D, H = 5, 2, 3, 4                                  # steps, batch, input features, hidden units
        rnn = nn.RNN(D, H, dtype=torch.float64)                  # time first: X (T, N, D); batch_first=False
        X = torch.randn(T, N, D, dtype=torch.float64)
        Y, h_n = rnn(X)                                          # (T, N, H); (num_layers, N, H) = (1, N, H)
        print(f"Y {tuple(Y.shape)}, h_n {tuple(h_n.shape)}; Y[-1] is h_n[0]: {torch.equal(Y[-1], h_n[0])}")
        (torch.randn(N, H, dtype=torch.float64) * h_n[0]).sum().backward()   # L = sum(w * h_T); autograd = BPTT
        print("dL/dW_hh, summed over the 5 steps:\n", rnn.weight_hh_l0.grad.numpy().round(4))
        # --8<-- [end:demo_torch]
    else:
        # --8<-- [start:demo]
        np.set_printoptions(precision=4, suppress=True)
        rng = np.random.default_rng(0)
        T, N, D, H = 5, 2, 3, 4                                  # steps, batch, input features, hidden units
        X, h0 = rng.normal(size=(T, N, D)), np.zeros((N, H))
        W_ih, W_hh, b_ih, b_hh = init_weights(1, D, H, rng)    # PyTorch's default initialization
        Y, h_T = rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh)
        print(f"X {X.shape} -> Y {Y.shape}, h_T {h_T.shape}; Y[-1] is h_T: {np.array_equal(Y[-1], h_T)}")
        w = rng.normal(size=(N, H))                              # L = sum(w * h_T): a loss on h_T only
        grads, delta = rnn_backward(np.zeros_like(Y), w, X, h0, Y, W_ih, W_hh)
        print("||dL/dh_t|| for t = T, ..., 1:", np.linalg.norm(delta, axis=(1, 2))[::-1])
        print("dL/dW_hh, summed over the 5 steps:\n", grads[3])
        # --8<-- [end:demo]
