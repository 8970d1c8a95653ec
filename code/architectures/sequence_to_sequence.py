"""Sequence-to-sequence with the first attention: a GRU encoder-decoder and additive (Bahdanau) attention.

NumPy: batched additive attention with a padding mask, its hand-derived backward pass and dc/de, checked
against PyTorch in float64. PyTorch: nn.Embedding, an nn.GRU encoder and an nn.GRUCell decoder with
AdditiveAttention, trained to reverse digit sequences with and without attention (teacher forcing; greedy test).

Page: docs/architectures/sequence-to-sequence.md (topic 24). Papers: Sutskever, Vinyals & Le (2014),
"Sequence to sequence learning with neural networks"; Cho et al. (2014), "Learning phrase representations
using RNN encoder-decoder for statistical machine translation"; Bahdanau, Cho & Bengio (2015), "Neural
machine translation by jointly learning to align and translate"; Luong, Pham & Manning (2015), "Effective
approaches to attention-based neural machine translation"; Williams & Zipser (1989), teacher forcing.

    python code/architectures/sequence_to_sequence.py   # train with and without attention, compare
        --check (NumPy vs PyTorch, float64), --numpy (the NumPy demo), --pitfalls (mistakes, symptoms),
        --exercise (solutions 1 and 2), --quick (5 steps of each training, a smoke test)
"""
import functools
import sys

# --8<-- [start:imports]
import numpy as np
# --8<-- [end:imports]
# --8<-- [start:torch_imports]
import time

import torch
import torch.nn.functional as F
from torch import nn
# --8<-- [end:torch_imports]


# --8<-- [start:validation]
def check_attention_inputs(s_prev, h, mask, W_s, W_h, v):
    """Shapes: s_prev (N, H), h (N, S, H), mask (N, S) bool, W_s and W_h (A, H), v (A,)."""
    s_prev, h, W_s, W_h, v = (np.asarray(a, dtype=np.float64) for a in (s_prev, h, W_s, W_h, v))
    if h.ndim != 3:
        raise ValueError(f"h must hold the encoder states with shape (N, S, H), got {h.shape}")
    N, S, H = h.shape
    if v.ndim != 1:
        raise ValueError(f"v must have shape (A,), one weight per attention unit, got {v.shape}")
    A = v.shape[0]
    for name, a, shape in [("s_prev", s_prev, (N, H)), ("W_s", W_s, (A, H)), ("W_h", W_h, (A, H))]:
        if a.shape != shape:
            raise ValueError(f"{name} must have shape {shape} (N, S, H = {N}, {S}, {H} from h; A = {A} from v), "
                             f"got {a.shape}")
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"mask must be boolean, True at real source positions, got dtype {mask.dtype}")
    if mask.shape != (N, S):
        raise ValueError(f"mask must have shape (N, S) = ({N}, {S}), got {mask.shape}")
    return s_prev, h, mask, W_s, W_h, v
# --8<-- [end:validation]


# --8<-- [start:masked_softmax]
def masked_softmax(e, mask):
    """alpha = softmax(e) over the last axis, with e = -inf where mask is False, eqs. (6)-(7), stably."""
    empty = ~mask.any(axis=-1)
    if empty.any():                                  # no real position: no distribution exists (0 / 0)
        raise ValueError(f"every row of mask needs at least one True (a real source position); "
                         f"row {np.argwhere(empty)[0].tolist()} has none")
    e = np.where(mask, e, -np.inf)                   # padded positions can never win
    z = np.exp(e - e.max(axis=-1, keepdims=True))    # max over real positions is finite; exp(-inf) = 0 exactly
    return z / z.sum(axis=-1, keepdims=True)         # the sum is >= 1: never 0, never inf
# --8<-- [end:masked_softmax]


# --8<-- [start:additive_attention]
def additive_attention(s_prev, h, mask, W_s, W_h, v):
    """Bahdanau attention for a batch: scores eq. (5), weights eqs. (6)-(7), context eq. (8).
    Returns c (N, H), alpha (N, S) and the cache for the backward pass."""
    s_prev, h, mask, W_s, W_h, v = check_attention_inputs(s_prev, h, mask, W_s, W_h, v)
    u = (s_prev @ W_s.T)[:, None, :] + h @ W_h.T     # (N, S, A): W_s s_{t-1} + W_h h_j for every j
    z = np.tanh(u)                                   # (N, S, A)
    e = z @ v                                        # (N, S): one score per source position
    alpha = masked_softmax(e, mask)                  # (N, S): rows sum to 1, zeros at padding
    c = np.einsum("ns,nsh->nh", alpha, h)            # (N, H): weighted average of the encoder states
    return c, alpha, (s_prev, h, W_s, W_h, v, z, alpha)
# --8<-- [end:additive_attention]


# --8<-- [start:additive_attention_backward]
def additive_attention_backward(dc, cache):
    """Gradients of J from dc = dJ/dc (N, H), eqs. (13)-(17): ds_prev, dh, dW_s, dW_h, dv."""
    s_prev, h, W_s, W_h, v, z, alpha = cache
    dalpha = np.einsum("nh,nsh->ns", dc, h)                               # (N, S): dc . h_j
    de = alpha * (dalpha - (alpha * dalpha).sum(-1, keepdims=True))      # (N, S): softmax VJP, eq. (13)
    dv = np.einsum("ns,nsa->a", de, z)                                    # (A,), eq. (14)
    du = de[..., None] * v * (1 - z ** 2)                                 # (N, S, A): through tanh, eq. (14)
    dW_s = du.sum(1).T @ s_prev                                           # (A, H): s_prev is shared by all j
    ds_prev = du.sum(1) @ W_s                                             # (N, H), eq. (15)
    dW_h = np.einsum("nsa,nsh->ah", du, h)                                # (A, H), eq. (16)
    dh = alpha[..., None] * dc[:, None, :] + du @ W_h                     # (N, S, H): eq. (17), two paths
    return ds_prev, dh, dW_s, dW_h, dv
# --8<-- [end:additive_attention_backward]


# --8<-- [start:context_jacobian]
def context_jacobian(alpha, h):
    """dc/de (N, H, S), eq. (12): column j is alpha_j (h_j - c); zero at masked positions (alpha_j = 0)."""
    c = np.einsum("ns,nsh->nh", alpha, h)                                 # (N, H)
    return np.einsum("ns,nsh->nhs", alpha, h - c[:, None, :])
# --8<-- [end:context_jacobian]


# --8<-- [start:ex_saturation]
def largest_jacobian_entry(scale, seed=0):
    """Exercise 1: max |dc/de| when the scores are `scale` times random numbers: 0 as alpha saturates."""
    rng = np.random.default_rng(seed)
    e, h = scale * rng.normal(size=(1, 6)), rng.normal(size=(1, 6, 4))      # one row, S = 6, H = 4
    return np.abs(context_jacobian(masked_softmax(e, np.ones((1, 6), dtype=bool)), h)).max()
# --8<-- [end:ex_saturation]


# --8<-- [start:ex_luong]
def luong_attention(s, h, mask, W):
    """Exercise 2: Luong's 'general' score e_j = s^T W h_j, eq. (18), then the same mask, softmax, average.
    W (H, H) maps encoder states into the decoder's space; with W = I it is the plain dot product."""
    e = np.einsum("nh,hk,nsk->ns", s, W, h)                               # (N, S)
    alpha = masked_softmax(e, mask)
    return np.einsum("ns,nsh->nh", alpha, h), alpha
# --8<-- [end:ex_luong]


# --8<-- [start:torch_attention]
class AdditiveAttention(nn.Module):
    """Bahdanau attention in PyTorch, eqs. (5)-(8); W_s.weight, W_h.weight (A, H) and v.weight (1, A)."""

    def __init__(self, H, A):
        super().__init__()
        self.W_s = nn.Linear(H, A, bias=False)
        self.W_h = nn.Linear(H, A, bias=False)
        self.v = nn.Linear(A, 1, bias=False)

    def forward(self, s_prev, h, mask, Wh_h=None):      # s_prev (N, H), h (N, S, H), mask (N, S) bool
        if not mask.any(dim=1).all():                   # softmax of all -inf is NaN: refuse instead
            raise ValueError("every row of mask (N, S) needs at least one True (a real source position)")
        Wh_h = self.W_h(h) if Wh_h is None else Wh_h    # (N, S, A); the decoder computes it once
        e = self.v(torch.tanh(self.W_s(s_prev)[:, None, :] + Wh_h)).squeeze(-1)   # (N, S)
        alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=-1)      # over S, the source axis
        return (alpha[..., None] * h).sum(dim=1), alpha                          # c (N, H), alpha (N, S)
# --8<-- [end:torch_attention]


# --8<-- [start:data]
PAD, SOS, EOS, V = 0, 1, 2, 13     # special tokens; the digits 0..9 are tokens 3..12, V the vocabulary size


def random_sequences(rng, N, exclude=frozenset(), lengths=(3, 8)):
    """N random digit sequences (tuples) with lengths in [3, 8], none of them in `exclude`."""
    seqs = []
    while len(seqs) < N:                                 # drawn N at a time: one NumPy call, not N
        L = rng.integers(lengths[0], lengths[1] + 1, size=N)
        digits = rng.integers(0, 10, size=(N, lengths[1])).tolist()
        seqs += [x for x in (tuple(d[:l]) for d, l in zip(digits, L)) if x not in exclude]
    return seqs[:N]                                      # exclude keeps the held-out set unseen


def reversal_batch(seqs):
    """Padded tensors for the task 'reverse the sequence': src (N, S), src_len (N,), decoder inputs
    y_in (N, T) = <sos> y_1 .. y_{T-1} (the targets shifted right) and targets y_out (N, T) = y_1 .. <eos>."""
    N, S = len(seqs), max(map(len, seqs))
    src, y_out = np.full((N, S), PAD), np.full((N, S + 1), PAD)
    for n, x in enumerate(seqs):
        src[n, :len(x)] = np.array(x) + 3
        y_out[n, :len(x) + 1] = [*(np.array(x[::-1]) + 3), EOS]
    y_in = np.concatenate([np.full((N, 1), SOS), y_out[:, :-1]], axis=1)   # shift right by one
    return tuple(torch.from_numpy(a) for a in (src, np.array([len(x) for x in seqs]), y_in, y_out))
# --8<-- [end:data]


# --8<-- [start:model]
class Seq2Seq(nn.Module):
    """GRU encoder, GRU decoder; context c_t from AdditiveAttention, or the fixed h_S without attention."""

    def __init__(self, E=16, H=32, A=32, attention=True):
        super().__init__()
        self.embed_x, self.embed_y = nn.Embedding(V, E, padding_idx=PAD), nn.Embedding(V, E, padding_idx=PAD)
        self.encoder = nn.GRU(E, H, batch_first=True)      # batch_first: tensors are (N, S, ...)
        self.decoder = nn.GRUCell(E + H, H)                # input: [embedding of y_{t-1}; c_t]
        self.attention = AdditiveAttention(H, A) if attention else None
        self.out = nn.Linear(2 * H, V)                     # logits from [s_t; c_t]
        self.use_mask = True                               # False only to show the pitfall

    def encode(self, src, src_len):
        h, _ = self.encoder(self.embed_x(src))                             # (N, S, H), eq. (1)
        mask = torch.arange(src.shape[1]) < src_len[:, None]               # (N, S): True at real tokens
        h_last = h[torch.arange(len(src)), src_len - 1]                    # (N, H): h_S of each sequence
        return h, mask if self.use_mask else torch.ones_like(mask), h_last

    def forward(self, src, src_len, y_in=None, T=None):
        """Teacher forcing if y_in (N, T) is given, else greedy decoding for T steps.
        Returns logits (N, T, V) and attention weights alpha (N, T, S), or None without attention."""
        h, mask, h_last = self.encode(src, src_len)
        Wh_h = self.attention.W_h(h) if self.attention else None          # (N, S, A), once per sequence
        y_vecs = None if y_in is None else self.embed_y(y_in)              # (N, T, E): all inputs known
        s, y, features, alphas = h_last, torch.full((len(src),), SOS), [], []   # s_0 = h_S, y_0 = <sos>
        for t in range(T if y_in is None else y_in.shape[1]):
            c = h_last                                                     # Cho et al.: one fixed context
            if self.attention:
                c, alpha = self.attention(s, h, mask, Wh_h)                # eqs. (5)-(8), from s_{t-1}
                alphas.append(alpha)
            y_vec = self.embed_y(y) if y_in is None else y_vecs[:, t]      # eq. (10): own guess, or the truth
            s = self.decoder(torch.cat([y_vec, c], dim=-1), s)             # s_t, eq. (3)
            features.append(torch.cat([s, c], dim=-1))                     # [s_t; c_t], (N, 2H)
            if y_in is None:
                y = self.out(features[-1]).argmax(dim=-1)                  # greedy: the most likely token
        logits = self.out(torch.stack(features, 1))                        # (N, T, V), eq. (4), all steps
        return logits, torch.stack(alphas, 1) if alphas else None
# --8<-- [end:model]


# --8<-- [start:train]
STEPS, BATCH, LR, HELD_OUT = 100, 128, 0.02, 500    # the build's run: 100 steps of 128 sequences


def held_out_set(N=HELD_OUT):
    """Held-out sequences from their own seed; training never draws any of them."""
    return random_sequences(np.random.default_rng(1234), N)


def train(attention=True, steps=STEPS, batch=BATCH, lr=LR, seed=0, shift=True):
    """Adam on the mean cross-entropy per target token, eq. (9), with teacher forcing, eq. (10).
    shift=False feeds y_out instead of y_in: the pitfall of the unshifted decoder input."""
    torch.set_num_threads(1)        # tiny matrices: more threads only wait (the build restores the count)
    torch.manual_seed(seed)
    rng, exclude = np.random.default_rng(seed), frozenset(held_out_set())
    model = Seq2Seq(attention=attention)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses, start = [], time.perf_counter()
    for _ in range(steps):
        src, src_len, y_in, y_out = reversal_batch(random_sequences(rng, batch, exclude))
        logits, _ = model(src, src_len, y_in if shift else y_out)
        loss = F.cross_entropy(logits.flatten(0, 1), y_out.flatten(), ignore_index=PAD)   # pads: no loss
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)     # an RNN's rare huge gradient, one step only
        optimizer.step()
        losses.append(loss.item())
    return model, losses, time.perf_counter() - start


@torch.no_grad()
def evaluate(model, batch, teacher_forcing=False):
    """(per-token accuracy, whole-sequence exact match) over the real target tokens, <eos> included."""
    src, src_len, y_in, y_out = batch
    logits, _ = model(src, src_len, y_in if teacher_forcing else None, T=y_out.shape[1])
    real, hit = y_out != PAD, logits.argmax(-1) == y_out
    return ((hit & real).sum() / real.sum()).item(), (hit | ~real).all(dim=1).float().mean().item()


@torch.no_grad()
def alignment_offsets(model, seqs):
    """argmax_j alpha_{t,j} minus the mirrored position j* = L + 1 - t, for every digit step t of every
    sequence (greedy decoding); 0 means the peak sits on the source digit being written."""
    src, src_len, _, y_out = reversal_batch(seqs)
    alpha = model(src, src_len, T=y_out.shape[1])[1]                     # (N, T, S)
    return np.concatenate([alpha[n, :L].argmax(-1).numpy() - np.arange(L)[::-1]
                           for n, L in enumerate(src_len.tolist())])
# --8<-- [end:train]


# --8<-- [start:compare]
def compare(steps=STEPS, batch=BATCH):
    """Train the same model with and without attention for the same steps; report both on held-out data."""
    seqs = held_out_set()
    test = reversal_batch(seqs)
    print(f"{steps} steps of {batch} sequences, lengths 3-8; {len(seqs)} held-out sequences, greedy decoding")
    for attention in (True, False):
        model, losses, wall = train(attention, steps, batch)
        token, exact = evaluate(model, test)
        by_length = [evaluate(model, reversal_batch([x for x in seqs if len(x) == L]))[1] for L in range(3, 9)]
        print(f"{'with' if attention else 'without'} attention: training loss {losses[0]:.3f} -> "
              f"{losses[-1]:.3f}; {wall:.1f} s, {1000 * wall / (steps * batch):.2f} ms per training sequence "
              f"(1 CPU thread)\n  per-token accuracy {token:.3f} (teacher-forced "
              f"{evaluate(model, test, teacher_forcing=True)[0]:.3f}), exact match {exact:.3f}\n"
              f"  exact match by length 3..8: {' '.join(f'{a:.2f}' for a in by_length)}")
        if attention:
            off = alignment_offsets(model, seqs)
            print(f"  argmax of alpha_t on the mirrored position j*: {np.mean(off == 0):.3f} of steps, "
                  f"on j* + 1: {np.mean(off == 1):.3f}, elsewhere: {np.mean((off != 0) & (off != 1)):.3f}")
# --8<-- [end:compare]


# --8<-- [start:pitfalls]
def padding_effect(model, x, T=4):
    """(max |logits of x alone - logits of x padded in a batch with a sequence of 8|, attention on pads)."""
    alone = model(*reversal_batch([x])[:2], T=T)[0][0]                   # (T, V)
    logits, alpha = model(*reversal_batch([x, (1,) * 8])[:2], T=T)        # x now has 8 - len(x) pads
    return (alone - logits[0]).abs().max().item(), alpha[0, :, len(x):].sum(-1).max().item()


def batch_first_leak(batch_first):
    """How much example 1's GRU output changes when only example 0 changes; x is (N, S, E) = (2, 4, 2)."""
    torch.manual_seed(0)
    gru, x = nn.GRU(2, 3, batch_first=batch_first), torch.randn(2, 4, 2)
    x2 = x.clone()
    x2[0] += 1.0                                                           # change example 0 only
    return (gru(x)[0][1] - gru(x2)[0][1]).abs().max().item()               # and look at example 1
# --8<-- [end:pitfalls]


@functools.cache
def trained_model():
    """The build's attention model (the same seed and steps as the printed run), once per process."""
    return train(attention=True)[0]


def plot_attention():
    """alpha (target step x source position) of the trained model for two held-out sequences."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    seqs = held_out_set()
    src, src_len, _, y_out = reversal_batch([seqs[0], seqs[3]])        # lengths 8 and 5: 3 pads in the second
    model = trained_model()                                             # trains (outside no_grad), once
    with torch.no_grad():
        logits, alpha = model(src, src_len, T=y_out.shape[1])           # greedy; alpha (2, T, S)
    name = lambda k: {PAD: "pad", EOS: "eos"}.get(int(k), str(int(k) - 3))   # noqa: E731
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.2), layout="constrained")
    for n, ax in enumerate(axes):
        T = int(src_len[n]) + 1                                          # the digits, then <eos>
        im = ax.imshow(alpha[n, :T].numpy(), cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(src.shape[1]), [name(k) for k in src[n]], fontsize=8)
        ax.set_yticks(range(T), [name(k) for k in logits[n, :T].argmax(-1)], fontsize=8)
        ax.set(xlabel="source token (position j)", ylabel="" if n else "output token (step t)")
        ax.set_title(f"length {int(src_len[n])}" + (f", {src.shape[1] - int(src_len[n])} pads" if n else ""),
                     fontsize=9)
    fig.colorbar(im, ax=axes, shrink=0.8, label="weight $\\alpha_{t,j}$")
    return fig


def random_problem(rng, N=2, S=5, H=4, A=3):
    """A float64 attention problem with the second sequence padded (2 real positions of S)."""
    mask = np.ones((N, S), dtype=bool)
    mask[1, 2:] = False
    return (rng.normal(size=(N, H)), rng.normal(size=(N, S, H)), mask, rng.normal(size=(A, H)),
            rng.normal(size=(A, H)), rng.normal(size=A), rng.normal(size=(N, H)))


def torch_twin(W_s, W_h, v):
    att = AdditiveAttention(W_s.shape[1], W_s.shape[0]).double()
    with torch.no_grad():
        for p, value in [(att.W_s.weight, W_s), (att.W_h.weight, W_h), (att.v.weight, v[None])]:
            p.copy_(torch.from_numpy(value))
    return att


def check_rows():
    """(name, from scratch, PyTorch) for every from-scratch quantity, float64."""
    rng = np.random.default_rng(0)
    s_prev, h, mask, W_s, W_h, v, dc = random_problem(rng)
    c, alpha, cache = additive_attention(s_prev, h, mask, W_s, W_h, v)
    att = torch_twin(W_s, W_h, v)
    s_t, h_t = torch.tensor(s_prev, requires_grad=True), torch.tensor(h, requires_grad=True)
    c_t, alpha_t = att(s_t, h_t, torch.from_numpy(mask))
    (c_t * torch.from_numpy(dc)).sum().backward()                         # J = sum(dc * c)
    rows = [("context c, eq. (8)", c, c_t.detach()), ("weights alpha, eq. (7)", alpha, alpha_t.detach())]
    for name, ours, theirs in zip(["ds_prev, eq. (15)", "dh, eq. (17)", "dW_s, eq. (15)", "dW_h, eq. (16)", "dv, eq. (14)"],
                                  additive_attention_backward(dc, cache),
                                  [s_t, h_t, att.W_s.weight, att.W_h.weight, att.v.weight]):
        rows.append((name, ours, theirs.grad.reshape(ours.shape)))
    e, m = rng.normal(size=(2, 5)), torch.from_numpy(mask)
    jac = torch.autograd.functional.jacobian(                               # c as a function of the scores
        lambda e_: (torch.softmax(e_.masked_fill(~m, -torch.inf), -1)[..., None] * h_t.detach()).sum(1),
        torch.from_numpy(e))                                                # (N, H, N, S)
    rows.append(("dc/de, eq. (12)", context_jacobian(masked_softmax(e, mask), h),
                 torch.stack([jac[0, :, 0], jac[1, :, 1]])))                # each row's own block
    big = 1e4 * rng.normal(size=(2, 5))                                     # extreme scores
    rows.append(("softmax, scores ~1e4", masked_softmax(big, mask),
                 torch.softmax(torch.from_numpy(big).masked_fill(~m, -torch.inf), -1)))
    q = torch.from_numpy(s_prev @ W_s.T @ W_h)                              # Exercise 2: W = W_s^T W_h
    sdpa = F.scaled_dot_product_attention(q[:, None], h_t.detach(), h_t.detach(), attn_mask=m[:, None], scale=1.0)
    rows.append(("Luong general vs SDPA", luong_attention(s_prev, h, mask, W_s.T @ W_h)[0], sdpa[:, 0]))
    return [(name, ours, theirs.numpy()) for name, ours, theirs in rows]


def check():
    """Print the max |difference| of every from-scratch quantity against PyTorch, float64."""
    rows = check_rows()
    print(f"{'from scratch vs PyTorch, float64':34} max |difference|")
    for name, ours, theirs in rows:
        print(f"{name:34} {np.max(np.abs(ours - theirs)):.1e}")
    print(f"largest weight on a padded position: {rows[1][1][1, 2:].max()}")   # the second row is padded


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--numpy" in sys.argv[1:]:
        # --8<-- [start:demo_numpy]
        rng = np.random.default_rng(0)
        N, S, H, A = 2, 4, 3, 5
        s_prev, h = rng.normal(size=(N, H)), rng.normal(size=(N, S, H))
        W_s, W_h, v = rng.normal(size=(A, H)), rng.normal(size=(A, H)), rng.normal(size=A)
        mask = np.array([[True, True, True, True], [True, True, False, False]])  # sequence 2: 2 pads
        c, alpha, cache = additive_attention(s_prev, h, mask, W_s, W_h, v)
        print("alpha:\n", alpha.round(3), "\nsums over source positions:", alpha.sum(axis=1))
        ds_prev, dh, dW_s, dW_h, dv = additive_attention_backward(np.ones((N, H)), cache)
        print("dJ/dh at the padded positions:", dh[1, 2:].ravel())
        # --8<-- [end:demo_numpy]
    elif "--pitfalls" in sys.argv[1:]:
        # --8<-- [start:demo_pitfalls]
        torch.manual_seed(0)
        model = Seq2Seq().double()                        # untrained is enough to see the leak
        with torch.no_grad():
            print("1. same sequence, alone vs padded: max |logit difference| {:.1e}, "
                  "attention on pads {:.3f}".format(*padding_effect(model, (3, 1, 4))))
            model.use_mask = False
            print("   ... without the mask:            max |logit difference| {:.1e}, "
                  "attention on pads {:.3f}".format(*padding_effect(model, (3, 1, 4))))
        e = torch.randn(3, 4)                             # scores (N, S)
        print("2. softmax over dim=0 (the batch), sums over source:", torch.softmax(e, dim=0).sum(dim=1))
        print("   softmax over dim=-1 (the source), sums over source:", torch.softmax(e, dim=-1).sum(dim=1))
        print("3. a fully masked row in torch.softmax:", torch.softmax(torch.full((1, 3), -torch.inf), -1))
        try:
            masked_softmax(np.zeros((1, 3)), np.zeros((1, 3), dtype=bool))
        except ValueError as error:
            print("   masked_softmax:", error)
        print(f"4. nn.GRU batch_first=False fed (N, S, E): example 1 moves by {batch_first_leak(False):.3f} "
              f"when example 0 changes; batch_first=True: {batch_first_leak(True):.3f}")
        model, losses, _ = train(attention=True, steps=20, batch=64, shift=False)   # y_out as input
        print(f"5. decoder fed y_out, not shifted: training loss {losses[0]:.3f} -> {losses[-1]:.3f}; "
              f"held-out per-token accuracy, greedy: {evaluate(model, reversal_batch(held_out_set()))[0]:.3f}")
        # --8<-- [end:demo_pitfalls]
    elif "--exercise" in sys.argv[1:]:
        # --8<-- [start:demo_ex_saturation]
        for scale in (0.1, 1, 10, 100, 1e4):
            print(f"scores of size {scale:g}: max |dc/de| = {largest_jacobian_entry(scale):.2e}")
        # --8<-- [end:demo_ex_saturation]
        # --8<-- [start:demo_ex_luong]
        rng = np.random.default_rng(1)
        s, h, W = rng.normal(size=(2, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(4, 4))   # N, S, H = 2, 5, 4
        mask = np.array([[True] * 5, [True, True, True, False, False]])
        c, alpha = luong_attention(s, h, mask, W)
        q, k = torch.from_numpy(s @ W)[:, None, :], torch.from_numpy(h)            # query (N, 1, H) = (W^T s)^T
        c_sdpa = F.scaled_dot_product_attention(q, k, k, attn_mask=torch.from_numpy(mask)[:, None], scale=1.0)
        print(f"Luong 'general' vs F.scaled_dot_product_attention: max |difference| "
              f"{np.abs(c - c_sdpa[:, 0].numpy()).max():.1e}")
        # --8<-- [end:demo_ex_luong]
    elif "--quick" in sys.argv[1:]:
        # --8<-- [start:demo_quick]
        compare(steps=5, batch=32)     # a smoke test; the module's own run is compare() with STEPS, BATCH
        # --8<-- [end:demo_quick]
    else:
        compare()
