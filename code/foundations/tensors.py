"""Tensors and PyTorch basics: shapes, dtypes, devices, broadcasting, matmul, views, strides, NumPy interop.

From scratch, each checked against PyTorch and NumPy: the broadcasting rule, a matmul with loops and the
shape rule of batched matmul, row-major strides and the index -> memory offset map, the rule that decides
whether `.view` works on a strided tensor, and PyTorch's type promotion (`torch.result_type`).

Page: docs/foundations/tensors.md (topic 2). References: Harris et al. (2020), "Array programming with
NumPy", Nature 585; Paszke et al. (2019), "PyTorch: an imperative style, high-performance deep learning
library", NeurIPS; IEEE 754-2019, the floating-point standard.

    python code/foundations/tensors.py [--demo | --tour | --dtypes | --promotion | --pitfalls | --check]
"""
import sys  # only the command line below uses it

# --8<-- [start:imports]
import itertools
import math
import warnings

import numpy as np
import torch


# --8<-- [end:imports]
# --8<-- [start:broadcast]
def _check_shape(s, name):
    s = tuple(s)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in s):
        raise TypeError(f"{name} must be a shape: a tuple of non-negative ints, got {s!r}")
    return tuple(int(n) for n in s)


def broadcast_shape(a, b):
    """The shape of A op B, eq. (2): align the shapes from the right; sizes equal, or one is 1 or missing."""
    a, b = _check_shape(a, "a"), _check_shape(b, "b")
    r = max(len(a), len(b))                            # the result's rank
    a_pad, b_pad = (1,) * (r - len(a)) + a, (1,) * (r - len(b)) + b   # a missing leading dim is size 1
    out = []
    for k in range(-1, -r - 1, -1):                    # from the right: dim -1, -2, ...
        n_a, n_b = a_pad[k], b_pad[k]
        if n_a != n_b and n_a != 1 and n_b != 1:
            raise ValueError(f"shapes {a} and {b} cannot be broadcast: at dim {k} (counting from the "
                             f"right) the sizes are {n_a} and {n_b}; they must be equal or one of them 1")
        out.insert(0, n_b if n_a == 1 else n_a)        # not max(): (0,) with (1,) gives (0,)
    return tuple(out)


def broadcast_index(i, shape):
    """The element of an operand of `shape` that output index i reads, eq. (3): a size-1 dim always reads 0."""
    i = i[len(i) - len(shape):]                        # the operand lacks the leading dims: skip them
    return tuple(i_k if n_k != 1 else 0 for i_k, n_k in zip(i, shape))


def broadcast_apply(op, A, B):
    """C = op(A, B) elementwise with broadcasting, one output element at a time, eq. (3)."""
    A, B = np.asarray(A), np.asarray(B)
    shape = broadcast_shape(A.shape, B.shape)
    values = [op(A[broadcast_index(i, A.shape)], B[broadcast_index(i, B.shape)])
              for i in itertools.product(*(range(n) for n in shape))]   # every output index, row-major
    return np.array(values, dtype=np.result_type(A, B)).reshape(shape)


# --8<-- [end:broadcast]
# --8<-- [start:matmul]
def matmul_loops(A, B):
    """C = A B for A (n, k) and B (k, p), eq. (4): C[i, j] = sum over l of A[i, l] B[l, j]."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul_loops needs A (n, k) and B (k, p) with the same k, got {A.shape} and {B.shape}")
    (n, k), p = A.shape, B.shape[1]
    C = np.zeros((n, p))                               # (n, p)
    for i in range(n):
        for j in range(p):
            for l in range(k):                         # row i of A meets column j of B
                C[i, j] += A[i, l] * B[l, j]
    return C


def matmul_shape(a, b):
    """The shape of A @ B (torch.matmul, np.matmul), eq. (6): batch dims broadcast, the last two multiply."""
    a, b = _check_shape(a, "a"), _check_shape(b, "b")
    if not a or not b:
        raise ValueError(f"matmul needs operands with at least 1 dim, got shapes {a} and {b}")
    a2 = (1,) + a if len(a) == 1 else a                # a vector on the left acts as a row (1, k)
    b2 = b + (1,) if len(b) == 1 else b                # a vector on the right acts as a column (k, 1)
    if a2[-1] != b2[-2]:
        raise ValueError(f"matmul of shapes {a} and {b}: A has {a2[-1]} columns but B has {b2[-2]} rows")
    batch = broadcast_shape(a2[:-2], b2[:-2])          # (..., n, k) @ (..., k, p): batch dims broadcast
    n = a2[-2:-1] if len(a) > 1 else ()                # the 1s added to vectors are dropped again
    p = b2[-1:] if len(b) > 1 else ()
    return batch + n + p


def batched_matmul(A, B):
    """A @ B for A (..., n, k) and B (..., k, p): one matrix product per batch index, eq. (6)."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim < 2 or B.ndim < 2:
        raise ValueError(f"batched_matmul needs A (..., n, k) and B (..., k, p), got {A.shape} and {B.shape}")
    C = np.empty(matmul_shape(A.shape, B.shape))       # (..., n, p); checks k and the batch dims
    for i in itertools.product(*(range(n) for n in C.shape[:-2])):
        C[i] = matmul_loops(A[broadcast_index(i, A.shape[:-2])], B[broadcast_index(i, B.shape[:-2])])
    return C


# --8<-- [end:matmul]
# --8<-- [start:strides]
def contiguous_strides(shape):
    """Row-major (C order) strides in elements, eq. (7): s_k = n_{k+1} n_{k+2} ... n_{r-1}, the last is 1."""
    strides, step = [], 1
    for n in reversed(_check_shape(shape, "shape")):
        strides.append(step)
        step *= max(n, 1)                              # as PyTorch: a size-0 dim counts as 1 here
    return tuple(reversed(strides))


def offset(index, shape, strides, storage_offset=0):
    """Where element `index` lives in the flat storage, eq. (8): storage_offset + sum over k of i_k s_k."""
    if not len(index) == len(shape) == len(strides):
        raise ValueError(f"index {tuple(index)} needs one entry per dim of shape {tuple(shape)}")
    for k, (i, n) in enumerate(zip(index, shape)):
        if not 0 <= i < n:
            raise ValueError(f"index {tuple(index)} is out of range for shape {tuple(shape)} at dim {k}: "
                             f"need 0 <= i < {n}")
    return storage_offset + sum(i * s for i, s in zip(index, strides))


def is_contiguous(shape, strides):
    """Row-major strides, eq. (7), except at size-1 dims (never stepped along, so any stride will do)."""
    if 0 in shape:
        return True                                    # no elements: nothing to lay out
    return all(n == 1 or s == e for n, s, e in zip(shape, strides, contiguous_strides(shape)))


def permute_strides(shape, strides, dims):
    """permute / transpose move no data: they reorder the shape and the strides together."""
    if sorted(dims) != list(range(len(shape))):
        raise ValueError(f"dims must be a permutation of 0..{len(shape) - 1}, got {tuple(dims)}")
    return tuple(shape[d] for d in dims), tuple(strides[d] for d in dims)


def expand_strides(shape, strides, new_shape):
    """Broadcasting as a view, eq. (10): a stretched size-1 (or missing) dim gets stride 0."""
    if len(new_shape) < len(shape) or any(n not in (1, m) for n, m in zip(shape[::-1], new_shape[::-1])):
        raise ValueError(f"shape {tuple(shape)} cannot be expanded to {tuple(new_shape)}: each size must "
                         f"stay or go from 1 to any size, aligned from the right")
    pad = len(new_shape) - len(shape)                  # leading dims the tensor lacks
    return tuple(0 if k < pad or shape[k - pad] != n else strides[k - pad] for k, n in enumerate(new_shape))


# --8<-- [end:strides]
# --8<-- [start:view]
def view_strides(shape, strides, new_shape):
    """Strides with which `new_shape` reads the same elements in the same order, or None: .view's rule.
    Dims with s_k = n_{k+1} s_{k+1}, eq. (9), merge into chunks; each new dim must lie inside one chunk."""
    if math.prod(shape) != math.prod(new_shape) or 0 in shape:
        raise ValueError(f"view_strides needs a non-empty tensor and the same number of elements: shape "
                         f"{tuple(shape)} has {math.prod(shape)}, {tuple(new_shape)} has {math.prod(new_shape)}")
    chunks = []                                        # [numel, innermost stride] of each chunk
    for n, s in zip(shape, strides):
        if n == 1:
            continue
        if chunks and chunks[-1][1] == n * s:          # eq. (9): this dim continues the chunk
            chunks[-1] = [chunks[-1][0] * n, s]
        else:
            chunks.append([n, s])
    chunks.append([1, 1])                              # a used-up end, for trailing size-1 dims
    out, c = [], 0
    for m in new_shape:
        while m != 1 and chunks[c][0] == 1:            # this chunk is used up: move to the next
            c += 1
        left, base = chunks[c]
        if left % m:
            return None                                # dim m would straddle two chunks
        chunks[c][0] = left // m
        out.append(base * (left // m))                 # row-major inside the chunk, scaled by its stride
    return tuple(out)


# --8<-- [end:view]
# --8<-- [start:promotion]
CATEGORY = {torch.bool: 0, torch.int16: 1, torch.int32: 1, torch.int64: 1,  # bool < integer < floating
            torch.float16: 2, torch.float32: 2, torch.float64: 2}


def _kind(x):
    """(priority, dtype): dimensioned tensor 2 > zero-dim tensor 1 > Python number 0."""
    if isinstance(x, torch.Tensor):
        if x.dtype not in CATEGORY:
            raise TypeError(f"result_dtype handles {sorted(map(str, CATEGORY))}, got {x.dtype}")
        return (2 if x.dim() > 0 else 1), x.dtype
    if type(x) in (bool, int, float):                  # type(), not isinstance: True is an int too
        return 0, {bool: torch.bool, int: torch.int64, float: torch.get_default_dtype()}[type(x)]
    raise TypeError(f"operands must be tensors or Python bool/int/float, got {type(x).__name__}")


def result_dtype(a, b):
    """The dtype of a op b by PyTorch's rule (torch.result_type), eq. (11): the higher category wins;
    in a tie, the higher priority (tensor > zero-dim tensor > Python number), then the wider dtype."""
    (p_a, d_a), (p_b, d_b) = _kind(a), _kind(b)
    if CATEGORY[d_a] != CATEGORY[d_b]:
        return d_a if CATEGORY[d_a] > CATEGORY[d_b] else d_b
    if p_a != p_b:
        return d_a if p_a > p_b else d_b               # a zero-dim float64 does not widen a float32 tensor
    return d_a if d_a.itemsize >= d_b.itemsize else d_b


# --8<-- [end:promotion]
# --8<-- [start:precision]
def central_difference_error(dtype, h):
    """|(sin(x+h) - sin(x-h)) / 2h - cos(x)| at x = 1, computed in `dtype`: truncation + rounding, eq. (12)."""
    x, h = torch.tensor(1.0, dtype=dtype), torch.tensor(h, dtype=dtype)
    estimate = (torch.sin(x + h) - torch.sin(x - h)) / (2 * h)
    return abs(estimate.item() - math.cos(1.0))        # the exact derivative, in float64


# --8<-- [end:precision]
# --8<-- [start:tour]
def describe(name, t):
    print(f"{name:<19} shape {tuple(t.shape)!s:<12} ndim {t.ndim}  {str(t.dtype):<14} {t.device}  "
          f"stride {t.stride()!s:<14} contiguous {t.is_contiguous()}")


def tensor_tour():
    """Shapes, dtypes and a device: what every tensor carries besides its numbers."""
    device = "cuda" if torch.cuda.is_available() else "cpu"     # the device-agnostic idiom
    describe("loss (a scalar)", torch.tensor(0.25))
    describe("x (one example)", torch.tensor([1.0, 2.0, 3.0]))
    X = torch.zeros(4, 3, device=device)                        # (N, d): a batch of 4 examples
    describe("X (a batch)", X)
    describe("y (class indices)", torch.tensor([0, 2, 1, 2]))   # int64: what indexing and losses want
    describe("X > 0 (a mask)", X > 0)                           # comparisons give bool
    describe("images (N, C, H, W)", torch.zeros(2, 3, 4, 4))
    describe("X.T", X.T)                                        # a view: strides swapped, no copy
    describe("X[:, None, :]", X[:, None, :])                    # unsqueeze(1): a new size-1 dim


def views_tour():
    """A view shares memory with its base; .clone() and .contiguous() (when needed) copy."""
    X = torch.arange(6.0).reshape(2, 3)                         # (2, 3)
    V, C = X.T, X.clone()                                       # V: a view; C: a copy
    V[0, 1] = 100.0                                             # writes X[1, 0]: same memory
    C[0, 0] = -1.0                                              # X does not change
    print("X after writing through X.T and into X.clone():\n", X)
    print("X.T shares X's memory:", V.data_ptr() == X.data_ptr(),
          "| X.T.contiguous() is a copy:", V.contiguous().data_ptr() != X.data_ptr())
    print("reshape of the transpose copies:", V.reshape(6).data_ptr() != X.data_ptr(),
          "| reshape of X is a view:", X.reshape(6).data_ptr() == X.data_ptr())


def numpy_tour():
    """torch.from_numpy and .numpy() share memory; torch.tensor copies; NumPy's default float is float64."""
    a = np.zeros(3)                                             # float64, NumPy's default
    shared, copied = torch.from_numpy(a), torch.tensor(a)
    a[0] = 7.0                                                  # seen by `shared` only
    print("from_numpy:", shared, "| tensor:", copied)
    shared.numpy()[1] = 8.0                                     # no copy: the same buffer again
    print("after writing through .numpy():", a, "| as float32:", shared.float().dtype)


# --8<-- [end:tour]
# --8<-- [start:pitfalls]
def pitfall_column_minus_vector(N=4):
    """Predictions (N, 1) minus targets (N,) broadcast to (N, N): a wrong loss and no error."""
    y_hat, y = torch.arange(N, dtype=torch.float64)[:, None], torch.arange(N, dtype=torch.float64)
    wrong = ((y_hat - y) ** 2).mean()                  # (N, N) then mean: nonzero for a perfect fit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.functional.mse_loss(y_hat, y)         # PyTorch warns about this broadcast
    return tuple((y_hat - y).shape), wrong.item(), str(caught[0].message)


def pitfall_no_keepdim(N=3):
    """Normalizing rows of an (N, N) matrix by sums taken without keepdim divides the columns instead."""
    E = torch.arange(1.0, N * N + 1).reshape(N, N)
    wrong, right = E / E.sum(dim=1), E / E.sum(dim=1, keepdim=True)   # (N,) lines up with the last dim
    return wrong.sum(dim=1), right.sum(dim=1)


def pitfall_view_write():
    """Editing a slice in place edits the tensor it came from."""
    X = torch.ones(2, 3)
    first = X[0]                                       # a view of row 0, not a copy
    first -= first.mean()                              # meant as a local change
    return X


def _error(f):
    try:
        f()
    except (RuntimeError, TypeError) as err:
        return f"{type(err).__name__}: {err}"


def pitfall_errors():
    """The errors behind four pitfalls, as PyTorch words them."""
    X = torch.from_numpy(np.ones((4, 3)))              # float64, like all NumPy data by default
    return {"float64 data into nn.Linear": _error(lambda: torch.nn.Linear(3, 2)(X)),  # float32 weights
            "view after .t()": _error(lambda: torch.ones(2, 3).t().view(6)),
            "mean of int64": _error(lambda: torch.arange(4).mean()),
            "in-place /= on int64": _error(lambda: torch.arange(4).div_(2)),
            "numpy() of a tensor that requires grad": _error(lambda: torch.ones(2, requires_grad=True).numpy()),
            "two devices (meta stands in for cuda)": _error(lambda: torch.ones(2, device="meta") + torch.ones(2))}


def pitfall_floor_division():
    """// floors (towards -inf, like Python); C-style truncation needs rounding_mode='trunc'."""
    a = torch.tensor([-7, 7])
    return a // 2, torch.div(a, 2, rounding_mode="trunc"), a / 2


def pitfall_squeeze():
    """squeeze() drops every size-1 dim, the batch dim of a batch of one included."""
    out = torch.zeros(1, 3, 1)                         # (N, C, 1) with N = 1
    return tuple(out.squeeze().shape), tuple(out.squeeze(-1).shape)


# --8<-- [end:pitfalls]
# --8<-- [start:exercise_shapes]
def exercise_shapes():
    """Exercise 1: three broadcasts by the rule; the last one is an error."""
    answers = []
    for a, b in [((8, 1, 6, 1), (7, 1, 5)), ((3,), (4, 1)), ((2, 3), (3, 2))]:
        try:
            answers.append(broadcast_shape(a, b))
        except ValueError as err:
            answers.append(str(err))
    return answers


# --8<-- [end:exercise_shapes]
# --8<-- [start:exercise_distances]
def pairwise_sq_distances(X, Y):
    """D[n, m] = ||x_n - y_m||^2 for X (N, d), Y (M, d), by broadcasting (N, 1, d) against (1, M, d)."""
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X must be (N, d) and Y (M, d) with the same d, got {X.shape} and {Y.shape}")
    diff = X[:, np.newaxis, :] - Y[np.newaxis, :, :]   # (N, 1, d) - (1, M, d) -> (N, M, d)
    return (diff ** 2).sum(axis=-1)                    # (N, M)


# --8<-- [end:exercise_distances]
# --8<-- [start:exercise_strides]
def exercise_strides():
    """Exercise 3: strides, offsets and view-ability of a (2, 3, 4) tensor and its permute(2, 0, 1)."""
    shape = (2, 3, 4)
    s = contiguous_strides(shape)                      # (12, 4, 1)
    p_shape, p_strides = permute_strides(shape, s, (2, 0, 1))
    return {"strides": s, "offset of (1, 2, 3)": offset((1, 2, 3), shape, s),
            "permuted": (p_shape, p_strides), "contiguous after permute": is_contiguous(p_shape, p_strides),
            "view as (4, 6)": view_strides(p_shape, p_strides, (4, 6)),
            "view as (24,)": view_strides(p_shape, p_strides, (24,))}


# --8<-- [end:exercise_strides]
# --8<-- [start:exercise_dtypes]
def exercise_dtypes():
    """Exercise 4: predict each dtype by the rule, then ask PyTorch."""
    cases = {"int64 tensor + 2.5": (torch.tensor([1, 2]), 2.5),
             "float32 tensor + float64 zero-dim": (torch.ones(2), torch.tensor(1.0, dtype=torch.float64)),
             "float32 tensor + float64 tensor": (torch.ones(2), torch.ones(2, dtype=torch.float64)),
             "bool tensor + 1": (torch.tensor([True, False]), 1),
             "int32 tensor + int64 zero-dim": (torch.ones(2, dtype=torch.int32), torch.tensor(5))}
    return {name: (result_dtype(a, b), torch.result_type(a, b)) for name, (a, b) in cases.items()}


# --8<-- [end:exercise_dtypes]


def _grid(ax, values, x0, y0, color, alpha=1.0, label=None):
    """Draw a 2-D array as labelled unit cells with top-left corner at (x0, y0)."""
    from matplotlib.patches import Rectangle
    for (i, j), v in np.ndenumerate(np.atleast_2d(values)):
        ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, fc=color, ec="k", alpha=alpha))
        ax.text(x0 + j + 0.5, y0 - i - 0.5, f"{v:g}", ha="center", va="center", fontsize=8)
    if label:
        ax.text(x0, y0 + 0.2, label, fontsize=8, va="bottom")


def plot_broadcast_and_strides():
    """Left: (3, 1) + (4,) -> (3, 4), faded cells are the stretched copies. Right: one storage, two strides."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(7, 3))
    a, b = np.array([[0.0], [10.0], [20.0]]), np.arange(4.0)
    _grid(ax0, np.repeat(a, 4, axis=1), 0, 0, "tab:blue", 0.25, "a (3, 1)")
    _grid(ax0, a, 0, 0, "tab:blue")                    # the real column; the faded cells are stride 0
    _grid(ax0, np.repeat(b[None], 3, axis=0), 5, 0, "tab:orange", 0.25, "b (4,)")
    _grid(ax0, b[None], 5, 0, "tab:orange")
    _grid(ax0, a + b, 2.5, -4, "tab:green", 0.6, "a + b (3, 4)")
    ax0.text(4.5, -1.5, "+", fontsize=14, ha="center", va="center")
    ax0.set(xlim=(-0.5, 9.5), ylim=(-7.5, 1.2))
    ax0.set_title("broadcasting: align right, stretch size 1", fontsize=9)
    storage = np.arange(6.0)
    _grid(ax1, storage[None], 0, 0, "0.85", 1.0, "storage (6 numbers, one after another)")
    X = storage.reshape(2, 3)
    _grid(ax1, X, 0, -2.5, "tab:blue", 0.5, "x (2, 3)\nstrides (3, 1)")
    _grid(ax1, X.T, 5, -2.5, "tab:purple", 0.5, "x.t() (3, 2)\nstrides (1, 3)")
    ax1.text(0, -6.3, "cells show storage offsets; x.t() read row by row\nvisits 0, 3, 1, 4, 2, 5: no single "
             "step, so\nx.t().view(6) is impossible", fontsize=8, va="top")
    ax1.set(xlim=(-0.5, 8.5), ylim=(-8.5, 1.2))
    ax1.set_title("views: one storage, different strides", fontsize=9)
    for ax in (ax0, ax1):
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


def check():
    """Max |from scratch - PyTorch| in float64; for the shape and stride rules, the number of disagreements."""
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(2, 1, 3, 4)), rng.normal(size=(5, 4, 2))      # batch dims (2, 1) and (5,)
    X, Y, u, v = (rng.normal(size=s) for s in [(5, 3), (4, 3), (3, 1), (4,)])
    t, err = torch.as_tensor, lambda a, b: np.abs(a - b.numpy()).max()
    pairs = [((2, 1, 3), (4, 1)), ((5,), (1,)), ((0, 3), (1, 3)), ((), (2, 2)), ((8, 1, 6, 1), (7, 1, 5))]
    mm = [((3,), (3,)), ((2, 3), (3,)), ((3,), (4, 3, 2)), ((5, 1, 2, 3), (4, 3, 6))]
    base = torch.arange(60.0).reshape(3, 4, 5)
    views = [base, base.permute(2, 0, 1), base.transpose(0, 1), base[:, ::2], base[1:, :, 2:4].mT]
    rows = [
        ("broadcast_apply(+) vs torch a + b", err(broadcast_apply(np.add, u, v), t(u) + t(v))),
        ("matmul_loops vs X @ Y.T", err(matmul_loops(X, Y.T), t(X) @ t(Y).T)),
        ("batched_matmul vs torch.matmul", err(batched_matmul(A, B), torch.matmul(t(A), t(B)))),
        ("pairwise_sq_distances vs torch.cdist ** 2", err(pairwise_sq_distances(X, Y), torch.cdist(t(X), t(Y)) ** 2)),
        ("broadcast_shape vs torch and NumPy", sum(broadcast_shape(a, b) != torch.broadcast_shapes(a, b)
                                                  or broadcast_shape(a, b) != np.broadcast_shapes(a, b)
                                                  for a, b in pairs)),
        ("matmul_shape vs torch.matmul", sum(matmul_shape(a, b) != (torch.ones(a) @ torch.ones(b)).shape
                                             for a, b in mm)),
        ("contiguous_strides vs .contiguous().stride()", sum(contiguous_strides(w.shape) != w.contiguous().stride()
                                                            for w in views)),
        ("is_contiguous vs .is_contiguous()", sum(is_contiguous(w.shape, w.stride()) != w.is_contiguous()
                                                 for w in views)),
        ("offset vs indexing a view", sum(base.flatten()[offset(i, w.shape, w.stride(), w.storage_offset())] != w[i]
                                          for w in views for i in np.ndindex(*w.shape))),
        ("expand_strides vs .expand().stride()", sum(expand_strides(w.shape, w.stride(), (2, *w.shape))
                                                    != w.expand(2, *w.shape).stride() for w in views)),
        ("view_strides vs .view().stride()", sum(view_strides(w.shape, w.stride(), (w.numel(),)) !=
                                                (None if _error(lambda: w.view(-1)) else w.view(-1).stride())
                                                for w in views)),
        ("result_dtype vs torch.result_type", sum(ours != theirs for ours, theirs in exercise_dtypes().values()))]
    print("max |from scratch - PyTorch| (float64), or the number of disagreements (0 = none)")
    for name, value in rows:
        print(f"  {name:<44} {value:.1e}" if isinstance(value, float) else f"  {name:<44} {value}")


def print_dtypes():
    for dtype in (torch.float16, torch.float32, torch.float64):
        info = torch.finfo(dtype)
        print(f"{str(dtype):<14} {info.bits} bits  eps = {info.eps:.2e}  max = {info.max:.2e}")
    print("central difference error of d/dx sin(x) at x = 1:")
    for h in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-7):
        print(f"  h = {h:.0e}   float32 {central_difference_error(torch.float32, h):.1e}"
              f"   float64 {central_difference_error(torch.float64, h):.1e}")


def print_pitfalls():
    shape, wrong, warning = pitfall_column_minus_vector()
    print(f"1. (N, 1) - (N,) has shape {shape}; 'MSE' of a perfect fit = {wrong:.2f}\n   warning: {warning}")
    wrong, right = pitfall_no_keepdim()
    print(f"2. row sums after E / E.sum(dim=1): {wrong.numpy().round(3)}; with keepdim=True: {right.numpy()}")
    print(f"3. X after `first = X[0]; first -= first.mean()`:\n{pitfall_view_write()}")
    for number, (name, text) in enumerate(pitfall_errors().items(), start=4):
        print(f"{number}. {name}: {text}")
    floor, trunc, true = pitfall_floor_division()
    print(f"10. [-7, 7] // 2 = {floor.tolist()}; trunc: {trunc.tolist()}; / 2 = {true.tolist()}")
    print(f"11. (1, 3, 1).squeeze() -> {pitfall_squeeze()[0]}; .squeeze(-1) -> {pitfall_squeeze()[1]}")


if __name__ == "__main__":
    if "--check" in sys.argv[1:]:
        check()
    elif "--dtypes" in sys.argv[1:]:
        print_dtypes()
    elif "--promotion" in sys.argv[1:]:
        for name, (ours, theirs) in exercise_dtypes().items():
            print(f"{name:<34} result_dtype {str(ours):<14} torch.result_type {theirs}")
    elif "--pitfalls" in sys.argv[1:]:
        print_pitfalls()
    else:
        if "--tour" not in sys.argv[1:]:
            # --8<-- [start:demo]
            print("broadcast_shape((8, 1, 6, 1), (7, 1, 5)) =", broadcast_shape((8, 1, 6, 1), (7, 1, 5)))
            print("matmul_shape((10, 1, 4, 3), (5, 3, 2)) =", matmul_shape((10, 1, 4, 3), (5, 3, 2)))
            print("contiguous_strides((2, 3, 4)) =", contiguous_strides((2, 3, 4)))
            print("offset((1, 2, 3), (2, 3, 4), (12, 4, 1)) =", offset((1, 2, 3), (2, 3, 4), (12, 4, 1)))
            print("view_strides((3, 2), (1, 3), (6,)) =", view_strides((3, 2), (1, 3), (6,)), "# x.t() as (6,)")
            try:
                broadcast_shape((2, 3), (4, 3))
            except ValueError as err:
                print("ValueError:", err)
            # --8<-- [end:demo]
        if "--demo" not in sys.argv[1:]:
            # --8<-- [start:demo_torch]
            tensor_tour()
            views_tour()
            numpy_tour()
            # --8<-- [end:demo_torch]
