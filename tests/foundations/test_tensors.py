"""Tests for code/foundations/tensors.py: broadcasting, matmul, strides, views and dtypes against torch and NumPy."""
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tensors as tn

MODULE = Path(tn.__file__)
TOL = 1e-12                                        # float64: only rounding may differ
FAST = settings(max_examples=100, deadline=None)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


# --- strategies -----------------------------------------------------------------------------------

sizes = st.integers(0, 4)
shapes = st.lists(sizes, max_size=5).map(tuple)


@st.composite
def shape_pairs(draw):
    """Pairs that are often broadcastable: b is a, with dims dropped on the left, set to 1, or changed."""
    a = draw(shapes)
    b = list(a[draw(st.integers(0, len(a))):])                  # drop some leading dims
    for k in range(len(b)):
        b[k] = draw(st.sampled_from([b[k], b[k], 1, draw(sizes)]))
    b = [draw(sizes) for _ in range(draw(st.integers(0, 2)))] * draw(st.booleans()) + b  # maybe extra dims
    return (a, tuple(b)) if draw(st.booleans()) else (tuple(b), a)


@st.composite
def strided_views(draw, min_size=1):
    """A float64 tensor seen through a random permute and a random step slice: a strided view."""
    shape = tuple(draw(st.lists(st.integers(min_size, 4), min_size=1, max_size=4)))
    base = torch.arange(float(math.prod(shape)), dtype=torch.float64).reshape(shape)
    view = base.permute(*draw(st.permutations(range(len(shape)))))
    k = draw(st.integers(0, view.ndim - 1))
    step = draw(st.integers(1, 2))
    return base, view[(slice(None),) * k + (slice(None, None, step),)]


def factorizations(n):
    """All ways to write n as an ordered product of 1 to 3 sizes (1s included)."""
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    out = [(n,)] + [(d, n // d) for d in divisors]
    return out + [(d, e, n // (d * e)) for d in divisors for e in divisors if (n // d) % e == 0]


# --- broadcasting ---------------------------------------------------------------------------------

@FAST
@given(shape_pairs())
def test_broadcast_shape_matches_torch_and_numpy(pair):
    a, b = pair
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        with pytest.raises(ValueError, match=r"cannot be broadcast: at dim -\d+ \(counting from the right\)"):
            tn.broadcast_shape(a, b)
        with pytest.raises(RuntimeError):
            torch.broadcast_shapes(a, b)
        return
    assert tn.broadcast_shape(a, b) == expected == tuple(torch.broadcast_shapes(a, b))


@pytest.mark.parametrize("a, b, expected", [
    ((), (), ()), ((3,), (), (3,)), ((4, 1), (3,), (4, 3)), ((8, 1, 6, 1), (7, 1, 5), (8, 7, 6, 5)),
    ((0,), (1,), (0,)), ((2, 0), (2, 1), (2, 0)), ((1, 1), (1,), (1, 1)),
])
def test_broadcast_shape_examples(a, b, expected):
    assert tn.broadcast_shape(a, b) == expected == tn.broadcast_shape(b, a)


@pytest.mark.parametrize("a, b, dim, n_a, n_b", [
    ((2, 3), (4, 3), -2, 2, 4), ((3,), (4,), -1, 3, 4), ((5, 2, 1), (3, 1), -2, 2, 3), ((0,), (2,), -1, 0, 2),
])
def test_broadcast_shape_error_names_both_shapes_and_the_dim(a, b, dim, n_a, n_b):
    message = (rf"shapes {re.escape(str(a))} and {re.escape(str(b))} cannot be broadcast: at dim {dim} "
               rf"\(counting from the right\) the sizes are {n_a} and {n_b}")
    with pytest.raises(ValueError, match=message):
        tn.broadcast_shape(a, b)


@pytest.mark.parametrize("bad", [(2, -1), (2.0, 3), ("a",), (True, 2)])
def test_broadcast_shape_rejects_non_shapes(bad):
    with pytest.raises(TypeError, match="must be a shape: a tuple of non-negative ints"):
        tn.broadcast_shape(bad, (2,))


def test_broadcast_index_reads_zero_along_size_one_dims():
    assert tn.broadcast_index((2, 1, 3), (4, 1, 5)) == (2, 0, 3)
    assert tn.broadcast_index((2, 1, 3), (1, 5)) == (0, 3)       # the missing leading dim is skipped
    assert tn.broadcast_index((2, 1), ()) == ()


@FAST
@given(shape_pairs(), st.sampled_from([np.add, np.subtract, np.multiply]))
def test_broadcast_apply_matches_torch(pair, op):
    a, b = pair
    if math.prod(a) > 200 or math.prod(b) > 200:
        return
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return
    A, B = rand(*a), rand(*b, seed=1)
    theirs = {np.add: torch.add, np.subtract: torch.sub, np.multiply: torch.mul}[op](torch.tensor(A), torch.tensor(B))
    ours = tn.broadcast_apply(op, A, B)
    assert ours.shape == tuple(theirs.shape) and np.array_equal(ours, theirs.numpy())


def test_broadcast_apply_keeps_integer_dtype_and_rejects_bad_shapes():
    C = tn.broadcast_apply(np.add, np.arange(3)[:, None], np.arange(4))
    assert C.dtype == np.int64 and np.array_equal(C, np.arange(3)[:, None] + np.arange(4))
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) cannot be broadcast"):
        tn.broadcast_apply(np.add, np.ones(2), np.ones(3))


# --- matmul ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, k, p", [(1, 1, 1), (3, 4, 2), (2, 1, 5)])
def test_matmul_loops_matches_at(n, k, p):
    A, B = rand(n, k), rand(k, p, seed=1)
    assert np.abs(tn.matmul_loops(A, B) - (torch.tensor(A) @ torch.tensor(B)).numpy()).max() < TOL


def test_matmul_is_not_elementwise():
    A, B = rand(2, 2), rand(2, 2, seed=1)
    assert np.abs(tn.matmul_loops(A, B) - A * B).max() > 0.1        # @ and * differ even for square


@pytest.mark.parametrize("A, B", [(np.ones((2, 3)), np.ones((2, 3))), (np.ones(3), np.ones((3, 2)))])
def test_matmul_loops_rejects_bad_shapes(A, B):
    with pytest.raises(ValueError, match=r"needs A \(n, k\) and B \(k, p\) with the same k"):
        tn.matmul_loops(A, B)


@FAST
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_matmul_shape_matches_torch_matmul(a, b):
    a, b = tuple(a), tuple(b)
    try:
        expected = tuple(torch.matmul(torch.ones(a), torch.ones(b)).shape)
    except RuntimeError:
        with pytest.raises(ValueError):
            tn.matmul_shape(a, b)
        return
    assert tn.matmul_shape(a, b) == expected == np.matmul(np.ones(a), np.ones(b)).shape


@pytest.mark.parametrize("a, b, expected", [
    ((3,), (3,), ()), ((2, 3), (3,), (2,)), ((3,), (3, 4), (4,)), ((5, 2, 3), (3, 4), (5, 2, 4)),
    ((10, 1, 4, 3), (5, 3, 2), (10, 5, 4, 2)),
])
def test_matmul_shape_examples(a, b, expected):
    assert tn.matmul_shape(a, b) == expected


def test_matmul_shape_errors():
    with pytest.raises(ValueError, match=r"matmul of shapes \(2, 3\) and \(4, 5\): A has 3 columns but B has 4 rows"):
        tn.matmul_shape((2, 3), (4, 5))
    with pytest.raises(ValueError, match="at least 1 dim"):
        tn.matmul_shape((), (3,))
    with pytest.raises(ValueError, match=r"cannot be broadcast: at dim -1"):   # batch dims (2,) and (3,)
        tn.matmul_shape((2, 4, 5), (3, 5, 6))


@pytest.mark.parametrize("a, b", [((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((1, 2, 2), (3, 2, 1))])
def test_batched_matmul_matches_torch(a, b):
    A, B = rand(*a), rand(*b, seed=1)
    theirs = torch.matmul(torch.tensor(A), torch.tensor(B))
    ours = tn.batched_matmul(A, B)
    assert ours.shape == tuple(theirs.shape) and np.abs(ours - theirs.numpy()).max() < TOL


def test_batched_matmul_rejects_vectors():
    with pytest.raises(ValueError, match=r"needs A \(\.\.\., n, k\)"):
        tn.batched_matmul(np.ones(3), np.ones((3, 2)))


# --- strides and views ----------------------------------------------------------------------------

@FAST
@given(shapes)
def test_contiguous_strides_match_torch_and_numpy(shape):
    assert tn.contiguous_strides(shape) == torch.empty(shape).stride()
    if 0 not in shape:                                          # NumPy gives 0-size arrays strides 0
        a = np.empty(shape)
        assert tuple(s // a.itemsize for s in a.strides) == tn.contiguous_strides(shape)


@FAST
@given(strided_views())
def test_offset_finds_every_element_of_a_view(case):
    base, view = case
    storage = base.flatten()                                    # base is contiguous: storage order
    for i in np.ndindex(*view.shape):
        assert storage[tn.offset(i, view.shape, view.stride(), view.storage_offset())] == view[i]


def test_offset_errors():
    with pytest.raises(ValueError, match=r"index \(1, 3\) is out of range for shape \(2, 3\) at dim 1"):
        tn.offset((1, 3), (2, 3), (3, 1))
    with pytest.raises(ValueError, match="one entry per dim"):
        tn.offset((1,), (2, 3), (3, 1))


@FAST
@given(strided_views(min_size=0))
def test_is_contiguous_matches_torch(case):
    _, view = case
    assert tn.is_contiguous(view.shape, view.stride()) == view.is_contiguous()
    assert tn.is_contiguous(view.shape, view.contiguous().stride())


@FAST
@given(strided_views(), st.data())
def test_permute_strides_match_torch(case, data):
    _, view = case
    dims = data.draw(st.permutations(range(view.ndim)))
    permuted = view.permute(*dims)
    assert tn.permute_strides(view.shape, view.stride(), dims) == (permuted.shape, permuted.stride())


def test_permute_strides_rejects_a_non_permutation():
    with pytest.raises(ValueError, match=r"dims must be a permutation of 0\.\.1"):
        tn.permute_strides((2, 3), (3, 1), (0, 0))


@FAST
@given(strided_views(), st.data())
def test_expand_strides_match_torch(case, data):
    _, view = case
    new = [data.draw(st.sampled_from([n, 3])) if n == 1 else n for n in view.shape]
    new = tuple([data.draw(st.integers(1, 3)) for _ in range(data.draw(st.integers(0, 2)))] + new)
    expanded = view.expand(new)
    ours = tn.expand_strides(view.shape, view.stride(), new)
    assert all(s == t for s, t, m in zip(ours, expanded.stride(), new) if m != 1)    # size-1 strides are free
    pad = len(new) - view.ndim
    stretched = [k for k, m in enumerate(new) if m != 1 and (k < pad or view.shape[k - pad] == 1)]
    assert all(ours[k] == 0 for k in stretched)                # stretching costs no memory: stride 0


def test_expand_strides_rejects_a_non_broadcast():
    with pytest.raises(ValueError, match=r"shape \(2, 3\) cannot be expanded to \(4, 3\)"):
        tn.expand_strides((2, 3), (3, 1), (4, 3))
    with pytest.raises(ValueError, match=r"shape \(2, 3\) cannot be expanded to \(3,\)"):
        tn.expand_strides((2, 3), (3, 1), (3,))


@settings(max_examples=200, deadline=None)
@given(strided_views(), st.data())
def test_view_strides_agree_with_torch_view(case, data):
    base, view = case
    new_shape = data.draw(st.sampled_from(factorizations(view.numel())))
    ours = tn.view_strides(view.shape, view.stride(), new_shape)
    try:
        theirs = view.view(new_shape)
    except RuntimeError as err:
        assert "view size is not compatible" in str(err)
        assert ours is None
        return
    assert ours is not None
    assert all(s == t for s, t, m in zip(ours, theirs.stride(), new_shape) if m != 1)  # size-1 strides are free
    same = torch.as_strided(base, new_shape, ours, view.storage_offset())
    assert torch.equal(same, view.reshape(new_shape))           # our strides read the right numbers


def test_view_strides_examples():
    assert tn.view_strides((3, 2), (1, 3), (6,)) is None        # x.t() of a (2, 3) tensor
    assert tn.view_strides((2, 3), (3, 1), (3, 2)) == (2, 1)
    assert tn.view_strides((4, 3), (6, 2), (2, 6)) == (12, 2)   # x[:, ::2] of a (4, 6) tensor: one chunk
    with pytest.raises(ValueError, match=r"same number of elements: shape \(2, 3\) has 6, \(4,\) has 4"):
        tn.view_strides((2, 3), (3, 1), (4,))


def test_views_share_memory_and_copies_do_not():
    X = torch.arange(6.0).reshape(2, 3)
    V, C = X.T, X.clone()
    V[0, 1] = 100.0
    C[0, 0] = -1.0
    assert X[1, 0] == 100.0 and X[0, 0] == 0.0
    assert V.data_ptr() == X.data_ptr() and not V.is_contiguous()
    assert V.contiguous().data_ptr() != X.data_ptr() and V.contiguous().is_contiguous()
    assert X.contiguous().data_ptr() == X.data_ptr()              # already contiguous: no copy
    assert X.reshape(6).data_ptr() == X.data_ptr() and V.reshape(6).data_ptr() != X.data_ptr()
    assert X.unsqueeze(1).shape == X[:, None].shape == (2, 1, 3) and X[:, None].squeeze(1).shape == (2, 3)


def test_numpy_interop():
    a = np.zeros(3)
    shared, copied = torch.from_numpy(a), torch.tensor(a)
    a[0] = 7.0
    assert shared[0] == 7.0 and copied[0] == 0.0 and shared.dtype == torch.float64
    shared.numpy()[1] = 8.0
    assert a[1] == 8.0
    assert torch.as_tensor(a).data_ptr() == shared.data_ptr()     # as_tensor shares when it can
    assert torch.tensor([1.0]).dtype == torch.float32 and torch.tensor([1]).dtype == torch.int64


def test_tours_print():
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tn.tensor_tour(), tn.views_tour(), tn.numpy_tour()
    text = out.getvalue()
    assert re.search(r"X\.T +shape \(3, 4\) .* stride \(1, 3\) +contiguous False", text)
    assert re.search(r"y \(class indices\) .* torch\.int64 ", text) and re.search(r"X > 0 .* torch\.bool ", text)
    assert "shares X's memory: True" in text and "[7. 8. 0.]" in text


# --- dtypes ---------------------------------------------------------------------------------------

DTYPES = [torch.bool, torch.int16, torch.int32, torch.int64, torch.float16, torch.float32, torch.float64]
operands = st.one_of(
    st.builds(lambda d: torch.ones(2, dtype=d), st.sampled_from(DTYPES)),   # dimensioned
    st.builds(lambda d: torch.ones((), dtype=d), st.sampled_from(DTYPES)),  # zero-dim
    st.booleans(), st.integers(-5, 5), st.floats(-5, 5))                    # Python numbers


@FAST
@given(operands, operands)
def test_result_dtype_matches_torch_result_type(a, b):
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        return
    assert tn.result_dtype(a, b) == torch.result_type(a, b)


def test_result_dtype_bad_input():
    with pytest.raises(TypeError, match="operands must be tensors or Python bool/int/float, got str"):
        tn.result_dtype(torch.ones(2), "2")
    with pytest.raises(TypeError, match="result_dtype handles"):
        tn.result_dtype(torch.ones(2, dtype=torch.complex64), 1)


def test_float32_cannot_check_gradients_but_float64_can():
    hs = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7]
    best32 = min(tn.central_difference_error(torch.float32, h) for h in hs)
    best64 = min(tn.central_difference_error(torch.float64, h) for h in hs)
    assert best32 > 1e-7 and best64 < 1e-10                     # eq. (12): the floor scales as eps^(2/3)
    truncation = 1e-2 ** 2 / 6 * math.cos(1.0)                  # h^2 |f'''| / 6, f''' = -cos
    assert tn.central_difference_error(torch.float64, 1e-2) == pytest.approx(truncation, rel=1e-3)


# --- pitfalls -------------------------------------------------------------------------------------

def test_pitfall_column_minus_vector():
    shape, wrong, warning = tn.pitfall_column_minus_vector(N=4)
    assert shape == (4, 4) and wrong > 1.0 and "broadcasting" in warning


def test_pitfall_no_keepdim():
    wrong, right = tn.pitfall_no_keepdim()
    assert torch.allclose(right, torch.ones(3)) and not torch.allclose(wrong, torch.ones(3))


def test_pitfall_view_write_changes_the_original():
    X = tn.pitfall_view_write()
    assert torch.equal(X, torch.tensor([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))


def test_pitfall_errors_say_what_went_wrong():
    errors = tn.pitfall_errors()
    assert "same dtype" in errors["float64 data into nn.Linear"] and "Double" in errors["float64 data into nn.Linear"]
    assert "Use .reshape(...) instead" in errors["view after .t()"]
    assert "could not infer output dtype" in errors["mean of int64"]
    assert "can't be cast to the desired output type Long" in errors["in-place /= on int64"]
    assert "detach().numpy()" in errors["numpy() of a tensor that requires grad"]
    assert "device" in errors["two devices (meta stands in for cuda)"]


def test_pitfall_floor_division_and_squeeze():
    floor, trunc, true = tn.pitfall_floor_division()
    assert floor.tolist() == [-4, 3] and trunc.tolist() == [-3, 3] and true.tolist() == [-3.5, 3.5]
    assert floor.dtype == torch.int64 and true.dtype == torch.float32
    assert tn.pitfall_squeeze() == ((3,), (1, 3))


# --- exercises ------------------------------------------------------------------------------------

def test_exercise_shapes():
    first, second, third = tn.exercise_shapes()
    assert first == (8, 7, 6, 5) and second == (4, 3)
    assert third.startswith("shapes (2, 3) and (3, 2) cannot be broadcast: "
                            "at dim -1 (counting from the right) the sizes are 3 and 2")


@pytest.mark.parametrize("N, M, d", [(1, 1, 1), (5, 4, 3), (2, 6, 2)])
def test_pairwise_sq_distances(N, M, d):
    X, Y = rand(N, d), rand(M, d, seed=1)
    D = tn.pairwise_sq_distances(X, Y)
    loops = np.array([[np.sum((x - y) ** 2) for y in Y] for x in X])
    assert D.shape == (N, M) and np.abs(D - loops).max() < TOL
    assert np.abs(D - (torch.cdist(torch.tensor(X), torch.tensor(Y)) ** 2).numpy()).max() < 1e-10


def test_pairwise_sq_distances_bad_shapes():
    message = r"X must be \(N, d\) and Y \(M, d\) with the same d, got \(2, 3\) and \(2, 4\)"
    with pytest.raises(ValueError, match=message):
        tn.pairwise_sq_distances(np.ones((2, 3)), np.ones((2, 4)))


def test_exercise_strides_against_torch():
    answers = tn.exercise_strides()
    x = torch.arange(24.0).reshape(2, 3, 4)
    p = x.permute(2, 0, 1)
    assert answers["strides"] == x.stride() == (12, 4, 1)
    assert answers["offset of (1, 2, 3)"] == 23 == x[1, 2, 3].item()
    assert answers["permuted"] == (tuple(p.shape), p.stride())
    assert answers["contiguous after permute"] is False is p.is_contiguous()
    assert answers["view as (4, 6)"] == p.view(4, 6).stride() == (1, 4)
    assert answers["view as (24,)"] is None
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        p.view(24)


def test_exercise_dtypes():
    answers = tn.exercise_dtypes()
    assert all(ours == theirs for ours, theirs in answers.values())
    assert answers["float32 tensor + float64 zero-dim"][0] == torch.float32
    assert answers["float32 tensor + float64 tensor"][0] == torch.float64


# --- the module as a script and its figure --------------------------------------------------------

def test_check_reports_agreement():
    out = subprocess.run([sys.executable, str(MODULE), "--check"], capture_output=True, text=True, check=True).stdout
    rows = [line.rsplit(maxsplit=1) for line in out.splitlines()[1:]]
    assert len(rows) == 12
    for name, value in rows:
        assert float(value) < 1e-12, f"{name}: {value}"


def test_figure():
    import matplotlib
    matplotlib.use("Agg")
    fig = tn.plot_broadcast_and_strides()
    assert len(fig.axes) == 2
    matplotlib.pyplot.close(fig)
