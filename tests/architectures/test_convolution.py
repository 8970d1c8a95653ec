"""Tests for code/architectures/convolution.py (page: docs/architectures/convolution.md).

Cross-correlation and convolution equal F.conv2d and SciPy; the output-size formula equals the shapes F.conv2d
returns over a full grid and a random sweep of settings, and refuses the settings PyTorch refuses; conv2d by
im2col equals F.conv2d (padding, stride, dilation, channels, batch); its hand-derived backward equals
torch.autograd and central finite differences; max and average pooling equal F.max_pool2d / F.avg_pool2d in
values and gradients; the receptive-field formula equals the measured one; parameter counts equal PyTorch's;
the small CNN reaches 97 % test accuracy; bad input raises clear errors; pitfalls and exercises hold.
"""
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from torch import nn

import convolution as cv

MODULE = Path(cv.__file__)
TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-7                    # central differences, h = 1e-6, on O(1) numbers


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def maxdiff(a, b):
    b = b.detach().numpy() if torch.is_tensor(b) else b
    return np.max(np.abs(np.asarray(a) - np.asarray(b)))


def torch_conv(X, K, b, dY, **kw):
    """Y = F.conv2d in float64 and the gradients of L = sum(dY * Y) for X, K, b."""
    X_t, K_t = torch.tensor(X, requires_grad=True), torch.tensor(K, requires_grad=True)
    b_t = None if b is None else torch.tensor(b, requires_grad=True)
    Y = F.conv2d(X_t, K_t, b_t, **kw)
    (Y * torch.from_numpy(dY)).sum().backward()
    return Y.detach().numpy(), X_t.grad.numpy(), K_t.grad.numpy(), None if b is None else b_t.grad.numpy()


# ---------------------------------------------------------------- cross-correlation vs convolution

@pytest.mark.parametrize("x_shape, k_shape", [((5, 5), (3, 3)), ((6, 7), (3, 2)), ((4, 4), (4, 4)), ((3, 5), (1, 1))])
def test_cross_correlation_is_what_conv2d_computes(rng, x_shape, k_shape):
    x, k = rng.normal(size=x_shape), rng.normal(size=k_shape)
    y = cv.cross_correlate2d(x, k)
    theirs = F.conv2d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None])[0, 0]
    assert y.shape == tuple(theirs.shape) and maxdiff(y, theirs) < TOL
    assert maxdiff(y, scipy.signal.correlate2d(x, k, mode="valid")) < TOL


def test_convolution_flips_the_kernel(rng):
    x, k = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    assert maxdiff(cv.convolve2d(x, k), scipy.signal.convolve2d(x, k, mode="valid")) < TOL
    flipped = torch.from_numpy(np.flip(k).copy())[None, None]
    assert maxdiff(cv.convolve2d(x, k), F.conv2d(torch.from_numpy(x)[None, None], flipped)[0, 0]) < TOL
    assert maxdiff(cv.convolve2d(x, k), cv.cross_correlate2d(x, k)) > 0.1       # not the same operation...
    k_sym = k + np.flip(k)                                                        # ...unless k = flip(k)
    assert maxdiff(cv.convolve2d(x, k_sym), cv.cross_correlate2d(x, k_sym)) < TOL


def test_correlation_rejects_bad_input(rng):
    with pytest.raises(ValueError, match="must be 2-D"):
        cv.cross_correlate2d(rng.normal(size=(1, 5, 5)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        cv.cross_correlate2d(rng.normal(size=(2, 5)), np.ones((3, 3)))
    with pytest.raises(TypeError, match="real numbers"):
        cv.cross_correlate2d(np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1)))


# ---------------------------------------------------------------- the output-size formula

def torch_size(H, W, k_h, k_w, p, s, d):
    try:
        return tuple(F.conv2d(torch.zeros(1, 1, H, W), torch.zeros(1, 1, k_h, k_w), padding=p, stride=s,
                              dilation=d).shape[2:])
    except RuntimeError:
        return None


def our_size(H, W, k_h, k_w, p, s, d):
    try:
        return cv.conv_output_size(H, k_h, p, s, d), cv.conv_output_size(W, k_w, p, s, d)
    except ValueError:
        return None


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 7), st.integers(1, 7), st.integers(0, 4),
       st.integers(1, 5), st.integers(1, 4))
def test_output_size_random_sweep_non_square(H, W, k_h, k_w, p, s, d):
    assert our_size(H, W, k_h, k_w, p, s, d) == torch_size(H, W, k_h, k_w, p, s, d)


def test_output_size_is_also_the_pooling_size(rng):
    X = rng.normal(size=(1, 1, 9, 7))
    for k, s in [(2, 2), (3, 2), (2, 1), (3, 3), (4, 3)]:
        expected = (cv.conv_output_size(9, k, 0, s), cv.conv_output_size(7, k, 0, s))
        assert tuple(F.max_pool2d(torch.from_numpy(X), k, s).shape[2:]) == expected
        assert cv.maxpool2d_forward(X, k, s)[0].shape[2:] == expected


def test_the_full_grid_of_settings_agrees_bad_ones_included(monkeypatch):
    """size_sweep: every (H, k, p, s, d) with H <= 9, k <= 4, p <= 2, s <= 3, d <= 3 against F.conv2d."""
    assert cv.size_sweep() == (972, 0)
    assert sum(isinstance(cv.both_sizes(*a)[0], str) for a in [(2, 3, 0, 1, 1), (4, 3, 0, 2, 2), (1, 2, 0, 1, 1)]) == 3
    monkeypatch.setattr(cv, "conv_output_size", lambda H, k, p, s, d: (H + 2 * p - d * (k - 1)) // s + 1)
    ours, theirs = cv.both_sizes(8, 3, 0, 2, 1)                         # forgetting the "- 1": caught
    assert (ours, theirs) == (4, 3)


@pytest.mark.parametrize("args, match", [
    ((4, 5, 0, 1, 1), r"extent d\(k-1\)\+1 = 5 is larger than the padded input H\+2p = 4"),
    ((4, 3, 0, 1, 2), r"extent d\(k-1\)\+1 = 5 is larger than the padded input H\+2p = 4"),
    ((2, 7, 2, 1, 1), r"H\+2p = 6"),
    ((8, 0, 0, 1, 1), "k must be an integer >= 1, got 0"),
    ((8, 3, -1, 1, 1), "p must be an integer >= 0, got -1"),
    ((8, 3, 0, 0, 1), "s must be an integer >= 1, got 0"),
    ((8, 3, 0, 1, 0), "d must be an integer >= 1, got 0"),
    ((8.0, 3, 0, 1, 1), "H must be an integer >= 1, got 8.0"),
    ((0, 1, 0, 1, 1), "H must be an integer >= 1, got 0")])
def test_bad_settings_are_a_clear_error(args, match):
    with pytest.raises(ValueError, match=match):
        cv.conv_output_size(*args)


def test_pytorch_refuses_the_same_settings():
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 3, 3), dilation=2)


# ---------------------------------------------------------------- im2col and conv2d_forward

SETTINGS = [  # (N, C_in, C_out, H, W, k_h, k_w, stride, padding, dilation)
    (1, 1, 1, 5, 5, 3, 3, 1, 0, 1), (2, 3, 4, 7, 6, 3, 3, 1, 1, 1), (2, 3, 4, 9, 8, 3, 2, 2, 1, 2),
    (3, 2, 5, 8, 8, 5, 5, 3, 2, 1), (1, 4, 2, 6, 7, 2, 3, 1, 0, 3), (2, 1, 3, 5, 5, 1, 1, 2, 0, 1),
    (1, 2, 2, 4, 4, 3, 3, 1, 2, 1)]


@pytest.mark.parametrize("N, C_in, C_out, H, W, k_h, k_w, s, p, d", SETTINGS)
def test_conv2d_forward_equals_F_conv2d(rng, N, C_in, C_out, H, W, k_h, k_w, s, p, d):
    X, K, b = rng.normal(size=(N, C_in, H, W)), rng.normal(size=(C_out, C_in, k_h, k_w)), rng.normal(size=C_out)
    Y, _ = cv.conv2d_forward(X, K, b, stride=s, padding=p, dilation=d)
    theirs = F.conv2d(torch.from_numpy(X), torch.from_numpy(K), torch.from_numpy(b), stride=s, padding=p, dilation=d)
    assert Y.shape == tuple(theirs.shape) and maxdiff(Y, theirs) < TOL
    Y0, _ = cv.conv2d_forward(X, K, None, stride=s, padding=p, dilation=d)       # bias=False
    assert maxdiff(Y0, F.conv2d(torch.from_numpy(X), torch.from_numpy(K), stride=s, padding=p, dilation=d)) < TOL


def test_im2col_columns_are_the_patches(rng):
    X = rng.normal(size=(2, 3, 7, 6))
    cols = cv.im2col(X, 3, 2, s=2, p=1, d=2)
    H_out, W_out = cv.conv_output_size(7, 3, 1, 2, 2), cv.conv_output_size(6, 2, 1, 2, 2)
    assert cols.shape == (2, 3 * 3 * 2, H_out * W_out)                 # (N, C k_h k_w, H_out W_out)
    Xp = np.pad(X, ((0, 0), (0, 0), (1, 1), (1, 1)))
    for n, i, j in [(0, 0, 0), (1, 1, 2), (1, H_out - 1, W_out - 1)]:
        patch = Xp[n, :, 2 * i:2 * i + 5:2, 2 * j:2 * j + 3:2]           # rows s i + d u, columns s j + d v
        assert np.array_equal(cols[n, :, i * W_out + j], patch.reshape(-1))


def test_col2im_is_the_adjoint_of_im2col(rng):
    """<im2col(X), D> = <X, col2im(D)> for all X, D: the defining property of the backward of a copy."""
    X = rng.normal(size=(2, 3, 8, 7))
    D = rng.normal(size=cv.im2col(X, 3, 3, 2, 1, 2).shape)
    assert abs(np.sum(cv.im2col(X, 3, 3, 2, 1, 2) * D) - np.sum(X * cv.col2im(D, X.shape, 3, 3, 2, 1, 2))) < 1e-10


def test_conv_is_a_matrix_multiply_by_a_sparse_weight_matrix(rng):
    """The convolution is linear in X: its matrix (column n = output for the n-th unit image) is mostly zeros."""
    K = rng.normal(size=(1, 1, 3, 3))
    basis = np.eye(25).reshape(25, 1, 5, 5)                            # each image: a single 1
    M = cv.conv2d_forward(basis, K)[0].reshape(25, 9).T               # (9 outputs, 25 inputs)
    X = rng.normal(size=(1, 1, 5, 5))
    assert maxdiff(M @ X.reshape(-1), cv.conv2d_forward(X, K)[0].reshape(-1)) < TOL
    assert np.count_nonzero(M) == 9 * 9                                # each output sees 9 of the 25 inputs


# ---------------------------------------------------------------- the backward pass

@pytest.mark.parametrize("N, C_in, C_out, H, W, k_h, k_w, s, p, d", SETTINGS)
def test_conv2d_backward_equals_autograd(rng, N, C_in, C_out, H, W, k_h, k_w, s, p, d):
    X, K, b = rng.normal(size=(N, C_in, H, W)), rng.normal(size=(C_out, C_in, k_h, k_w)), rng.normal(size=C_out)
    Y, cache = cv.conv2d_forward(X, K, b, stride=s, padding=p, dilation=d)
    G = rng.normal(size=Y.shape)
    _, dX_t, dK_t, db_t = torch_conv(X, K, b, G, stride=s, padding=p, dilation=d)
    dX, dK, db = cv.conv2d_backward(G, cache)
    assert dX.shape == X.shape and dK.shape == K.shape and db.shape == b.shape
    assert maxdiff(dX, dX_t) < TOL and maxdiff(dK, dK_t) < TOL and maxdiff(db, db_t) < TOL


@pytest.mark.parametrize("s, p, d", [(1, 0, 1), (2, 1, 1), (1, 1, 2)])
def test_conv2d_backward_equals_finite_differences(rng, finite_difference, s, p, d):
    X, K, b = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 2, 2)), rng.normal(size=3)
    Y, cache = cv.conv2d_forward(X, K, b, stride=s, padding=p, dilation=d)
    G = rng.normal(size=Y.shape)
    dX, dK, db = cv.conv2d_backward(G, cache)
    L = lambda X_, K_, b_: np.sum(G * cv.conv2d_forward(X_, K_, b_, s, p, d)[0])   # noqa: E731
    assert maxdiff(dX, finite_difference(lambda X_: L(X_, K, b), X)) < FD_TOL
    assert maxdiff(dK, finite_difference(lambda K_: L(X, K_, b), K)) < FD_TOL
    assert maxdiff(db, finite_difference(lambda b_: L(X, K, b_), b)) < FD_TOL


def test_padding_pixels_get_no_gradient_but_border_pixels_do(rng):
    """With padding, dX keeps X's shape: the gradient for the padding zeros is dropped, not folded in."""
    X, K = rng.normal(size=(1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    Y, cache = cv.conv2d_forward(X, K, padding=1)
    dX = cv.conv2d_backward(np.ones(Y.shape), cache)[0]
    assert dX.shape == (1, 1, 4, 4)
    assert dX[0, 0, 0, 0] == 4 and dX[0, 0, 1, 1] == 9                  # corner in 4 windows, inside in 9


def test_backward_rejects_a_gradient_of_the_wrong_shape(rng):
    _, cache = cv.conv2d_forward(rng.normal(size=(1, 1, 5, 5)), rng.normal(size=(2, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"must have the output's shape \(1, 2, 3, 3\), got \(1, 2, 5, 5\)"):
        cv.conv2d_backward(np.ones((1, 2, 5, 5)), cache)


# ---------------------------------------------------------------- bad input and extreme values

def test_conv_input_must_be_nchw_with_matching_channels(rng):
    with pytest.raises(ValueError, match=r"X must have shape \(N, C, H, W\), channels first"):
        cv.conv2d_forward(rng.normal(size=(3, 8, 8)), rng.normal(size=(4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"C_in = 8 \(axis 1 of X\), got shape \(16, 3, 3, 3\)"):
        cv.conv2d_forward(rng.normal(size=(2, 8, 8, 3)), rng.normal(size=(16, 3, 3, 3)))   # NHWC by mistake
    with pytest.raises(ValueError, match=r"b must have shape \(C_out,\) = \(4,\)"):
        cv.conv2d_forward(rng.normal(size=(1, 3, 5, 5)), rng.normal(size=(4, 3, 3, 3)), np.zeros(3))
    with pytest.raises(TypeError, match="real numbers"):
        cv.conv2d_forward(np.ones((1, 1, 3, 3), dtype=complex), np.ones((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        cv.conv2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        cv.maxpool2d_forward(np.ones((4, 4)), 2)


def test_integer_images_are_accepted(rng):
    X = rng.integers(0, 17, size=(2, 1, 8, 8))                          # digits' raw pixels are 0..16
    K = rng.normal(size=(2, 1, 3, 3))
    assert maxdiff(cv.conv2d_forward(X, K)[0], cv.conv2d_forward(X.astype(float), K)[0]) == 0


def test_extreme_values_stay_finite_and_correct(rng):
    X, K, b = 1e150 * rng.normal(size=(1, 2, 5, 5)), 1e150 * rng.normal(size=(2, 2, 3, 3)), rng.normal(size=2)
    Y, cache = cv.conv2d_forward(X, K, b, padding=1)
    G = rng.normal(size=Y.shape)
    Y_t, dX_t, dK_t, _ = torch_conv(X, K, b, G, padding=1)
    dX, dK, _ = cv.conv2d_backward(G, cache)
    for ours, theirs in [(Y, Y_t), (dX, dX_t), (dK, dK_t)]:
        assert np.all(np.isfinite(ours)) and maxdiff(ours, theirs) <= 1e-12 * np.abs(theirs).max()
    X = rng.normal(size=(1, 1, 4, 4))
    X[0, 0, :2, :2] = -np.inf                                            # a whole window at -inf
    assert np.array_equal(cv.maxpool2d_forward(X, 2)[0], F.max_pool2d(torch.from_numpy(X), 2).numpy())


# ---------------------------------------------------------------- pooling

POOLS = [(2, None), (3, 2), (2, 1), (3, 3), (3, 1)]


@pytest.mark.parametrize("k, s", POOLS)
@pytest.mark.parametrize("ours, theirs", [(("maxpool2d_forward", "maxpool2d_backward"), F.max_pool2d),
                                          (("avgpool2d_forward", "avgpool2d_backward"), F.avg_pool2d)])
def test_pooling_equals_pytorch_values_and_gradients(rng, k, s, ours, theirs):
    fwd, bwd = (getattr(cv, name) for name in ours)
    X = rng.normal(size=(2, 3, 7, 8))
    Y, cache = fwd(X, k, s)
    G = rng.normal(size=Y.shape)
    X_t = torch.tensor(X, requires_grad=True)
    Y_t = theirs(X_t, k, s)
    (Y_t * torch.from_numpy(G)).sum().backward()
    assert Y.shape == tuple(Y_t.shape) and maxdiff(Y, Y_t) < TOL and maxdiff(bwd(G, cache), X_t.grad) < TOL


@pytest.mark.parametrize("k, s", [(2, None), (3, 2)])
def test_pooling_backward_equals_finite_differences(rng, finite_difference, k, s):
    X = rng.normal(size=(1, 2, 5, 5))                                    # continuous: no ties, max is smooth here
    for fwd, bwd in [(cv.maxpool2d_forward, cv.maxpool2d_backward), (cv.avgpool2d_forward, cv.avgpool2d_backward)]:
        Y, cache = fwd(X, k, s)
        G = rng.normal(size=Y.shape)
        assert maxdiff(bwd(G, cache), finite_difference(lambda X_: np.sum(G * fwd(X_, k, s)[0]), X)) < FD_TOL


def test_max_pool_routes_the_gradient_to_the_argmax(rng):
    X = rng.normal(size=(1, 1, 4, 4))
    Y, cache = cv.maxpool2d_forward(X, 2)
    G = rng.normal(size=Y.shape)
    dX = cv.maxpool2d_backward(G, cache)
    for i, j in itertools.product(range(2), range(2)):
        window, d_window = X[0, 0, 2 * i:2 * i + 2, 2 * j:2 * j + 2], dX[0, 0, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
        assert np.count_nonzero(d_window) == 1                           # one pixel per window gets it all
        assert d_window.flat[window.argmax()] == G[0, 0, i, j]


def test_overlapping_windows_add_their_gradients():
    X = np.zeros((1, 1, 3, 5))
    X[0, 0, 1, 2] = 10.0                                                 # the max of both 3x3 windows (s = 2)
    Y, cache = cv.maxpool2d_forward(X, 3, 2)
    dX = cv.maxpool2d_backward(np.array([[[[1.5, 2.5]]]]), cache)
    assert Y.shape == (1, 1, 1, 2) and dX[0, 0, 1, 2] == 4.0 and np.count_nonzero(dX) == 1
    dX_avg = cv.avgpool2d_backward(np.array([[[[1.5, 2.5]]]]), cv.avgpool2d_forward(X, 3, 2)[1])
    assert dX_avg[0, 0, 1, 2] == pytest.approx(4.0 / 9) and dX_avg[0, 0, 1, 0] == pytest.approx(1.5 / 9)


# ---------------------------------------------------------------- receptive field

@pytest.mark.parametrize("layers", [[(3, 1, 1)], [(3, 1, 1)] * 5, [(5, 2, 1), (3, 2, 1), (3, 1, 1)],
                                    [(3, 1, 1), (3, 1, 2), (3, 1, 4), (3, 1, 8)], [(2, 2, 1)] * 3,
                                    [(7, 2, 1), (3, 2, 1), (3, 1, 2)], *cv.STACKS.values()])
def test_receptive_field_formula_equals_the_measured_one(layers):
    assert cv.receptive_field(layers) == cv.measured_receptive_field(layers)[0]


def test_receptive_field_special_cases():
    assert cv.receptive_field([(3, 1, 1)] * 4) == 1 + 4 * 2             # grows linearly without stride
    assert cv.receptive_field([(2, 2, 1)] * 3) == 8                      # non-overlapping pools tile: 2^3
    assert cv.receptive_field([(3, 1, 2 ** i) for i in range(4)]) == 2 ** 5 - 1   # dilations 1, 2, 4, 8
    assert cv.receptive_field([]) == 1


def test_dilated_layer_alone_sees_pixels_with_gaps():
    _, grad = cv.measured_receptive_field([(3, 1, 2)], H=9)
    row = np.flatnonzero(grad.sum(axis=1))
    assert list(np.diff(row)) == [2, 2]                                  # rows 2 apart: extent 5, 3 pixels seen


# ---------------------------------------------------------------- parameter counts

@pytest.mark.parametrize("C_in, C_out, k_h, k_w, bias", [(1, 16, 3, 3, True), (16, 32, 3, 3, True),
                                                         (3, 64, 7, 7, False), (8, 4, 1, 1, True), (2, 5, 3, 1, True)])
def test_conv_param_count_equals_pytorch(C_in, C_out, k_h, k_w, bias):
    layer = nn.Conv2d(C_in, C_out, (k_h, k_w), bias=bias)
    assert cv.conv_param_count(C_in, C_out, k_h, k_w, bias) == sum(p.numel() for p in layer.parameters())


def test_dense_param_count_equals_pytorch_and_dwarfs_the_conv():
    dense = nn.Linear(1 * 8 * 8, 16 * 8 * 8)
    assert cv.dense_param_count(1, 8, 8, 16, 8, 8) == sum(p.numel() for p in dense.parameters())
    assert cv.dense_param_count(1, 8, 8, 16, 8, 8, bias=False) == dense.weight.numel()
    assert cv.dense_param_count(1, 8, 8, 16, 8, 8) > 400 * cv.conv_param_count(1, 16, 3, 3)
    big = cv.dense_param_count(3, 224, 224, 64, 224, 224)
    assert big == (3 * 224 * 224 + 1) * 64 * 224 * 224 and cv.conv_param_count(3, 64, 3, 3) == 1792


def test_the_cnn_parameters_are_the_sum_of_its_layers():
    cnn = cv.make_cnn()
    expected = cv.conv_param_count(1, 16, 3, 3) + cv.conv_param_count(16, 32, 3, 3) + 128 * 10 + 10
    assert sum(p.numel() for p in cnn.parameters()) == expected


# ---------------------------------------------------------------- the CNN on the digits

def test_digit_images_are_nchw_and_standardized():
    X_train, X_test, y_train, y_test = cv.load_digit_images()
    assert X_train.shape == (1347, 1, 8, 8) and X_test.shape == (450, 1, 8, 8) and X_train.dtype == torch.float32
    assert abs(X_train.mean().item()) < 1e-5 and abs(X_train.std().item() - 1) < 1e-3
    counts_test, counts_all = torch.bincount(y_test), torch.bincount(torch.cat([y_train, y_test]))
    assert (counts_test - 0.25 * counts_all).abs().max() <= 1           # stratified: each digit's share kept


def test_cnn_shapes_follow_the_formula():
    x = torch.zeros(5, 1, 8, 8)
    shapes = []
    for layer in cv.make_cnn():
        x = layer(x)
        shapes.append(tuple(x.shape))
    side = cv.conv_output_size(cv.conv_output_size(8, 2, 0, 2), 2, 0, 2)   # two 2x2 pools, stride 2
    assert shapes[5] == (5, 32, side, side) and shapes[-1] == (5, 10)


@pytest.mark.slow
def test_demo_trains_the_cnn_to_97_percent(run_main):
    out = run_main(MODULE)
    acc = {name: float(v) for name, v in re.findall(r"^(CNN|MLP 64-64-10): test accuracy ([\d.]+)%", out, re.M)}
    assert acc["CNN"] >= 97.0 and acc["MLP 64-64-10"] > 90.0
    assert len(re.findall(r"s wall time, [\d.]+ ms per training example \(1 CPU thread\)", out)) == 2
    assert re.search(r"^Conv2d +\(1, 16, 8, 8\) +160$", out, re.M) and re.search(r"^Flatten +\(1, 128\) +0$", out, re.M)
    assert "66,560" in out and "1,792" in out


# ---------------------------------------------------------------- pitfalls

def test_nhwc_input_is_refused_by_conv2d_and_permute_fixes_it():
    with pytest.raises(RuntimeError, match="expected input\\[2, 8, 8, 3\\] to have 3 channels, but got 8"):
        nn.Conv2d(3, 16, 3)(torch.zeros(2, 8, 8, 3))
    assert nn.Conv2d(3, 16, 3)(torch.zeros(2, 8, 8, 3).permute(0, 3, 1, 2)).shape == (2, 16, 6, 6)


def test_numpy_convolve_flips_the_kernel_and_conv1d_does_not(rng):
    x, k = rng.normal(size=10), rng.normal(size=3)
    ours = F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(k)[None, None])[0, 0].numpy()
    assert maxdiff(np.correlate(x, k, "valid"), ours) < TOL
    assert maxdiff(np.convolve(x, k[::-1], "valid"), ours) < TOL
    assert maxdiff(np.convolve(x, k, "valid"), ours) > 0.1


def test_even_kernels_and_same_padding():
    X = torch.zeros(1, 1, 8, 8)
    assert nn.Conv2d(1, 1, 4, padding=4 // 2)(X).shape[-1] == 9         # one too many
    with pytest.warns(UserWarning, match="even kernel lengths"):
        assert nn.Conv2d(1, 1, 4, padding="same")(X).shape[-1] == 8
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_flatten_size_mismatch_and_lazy_linear():
    wrong = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 8 * 8, 10))
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x256 and 1024x10\)"):
        wrong(torch.zeros(2, 1, 8, 8))
    fixed = nn.Sequential(*wrong[:3], nn.LazyLinear(10))
    assert fixed(torch.zeros(2, 1, 8, 8)).shape == (2, 10) and fixed[3].in_features == 16 * 4 * 4


def test_pooling_too_early_leaves_nothing():
    with pytest.raises(RuntimeError, match="Output size is too small"):
        nn.Sequential(*[nn.MaxPool2d(2)] * 4)(torch.zeros(1, 1, 8, 8))


def test_pitfalls_demo_shows_each_symptom(run_main):
    out = run_main(MODULE, "--pitfalls")
    assert "to have 3 channels, but got 8 channels instead" in out and "torch.Size([2, 16, 6, 6])" in out
    assert "[2. 2.]" in out and "[-2. -2.]" in out and "tensor([-2., -2.]" in out
    assert "torch.Size([1, 1, 9, 9])" in out and "not supported for strided convolutions" in out
    assert "(2x256 and 1024x10)" in out and "Output size is too small" in out


# ---------------------------------------------------------------- exercises

@pytest.mark.parametrize("k, d", [(1, 1), (3, 1), (5, 1), (3, 2), (5, 3), (4, 2), (2, 4)])
def test_exercise_1_same_padding(rng, k, d):
    p = cv.same_padding(k, d)
    X, K = rng.normal(size=(1, 2, 9, 7)), rng.normal(size=(3, 2, k, k))
    Y = cv.conv2d_forward(X, K, padding=p, dilation=d)[0]
    assert Y.shape[2:] == (9, 7)
    assert maxdiff(Y, F.conv2d(torch.from_numpy(X), torch.from_numpy(K), padding="same", dilation=d)) < TOL


@pytest.mark.parametrize("k, d", [(2, 1), (4, 1), (4, 3)])
def test_exercise_1_no_symmetric_padding_for_odd_extent(k, d):
    with pytest.raises(ValueError, match=r"d\(k-1\) = \d+ is odd"):
        cv.same_padding(k, d)


@pytest.mark.parametrize("k, p", [(3, 0), (3, 1), (3, 2), (2, 0), (2, 1), (1, 0)])
def test_exercise_2_backward_is_two_convolutions(rng, k, p):
    X, K, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, k, k)), rng.normal(size=4)
    Y, cache = cv.conv2d_forward(X, K, b, padding=p)
    G = rng.normal(size=Y.shape)
    for ours, theirs in zip(cv.conv2d_backward_as_convs(X, K, G, p), cv.conv2d_backward(G, cache)):
        assert ours.shape == theirs.shape and maxdiff(ours, theirs) < TOL
    _, dX_t, dK_t, _ = torch_conv(X, K, b, G, padding=p)
    assert maxdiff(cv.conv2d_backward_as_convs(X, K, G, p)[0], dX_t) < TOL


def test_exercise_2_refuses_what_it_does_not_cover(rng):
    with pytest.raises(ValueError, match="square kernel and padding p <= k - 1"):
        cv.conv2d_backward_as_convs(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 2)), np.ones((1, 1, 3, 4)))
    with pytest.raises(ValueError, match="p = 3"):
        cv.conv2d_backward_as_convs(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones((1, 1, 9, 9)), p=3)


def test_exercise_3_one_by_one_conv_is_a_dense_layer_per_pixel(rng):
    X, K, b = rng.normal(size=(2, 5, 4, 3)), rng.normal(size=(7, 5, 1, 1)), rng.normal(size=7)
    Y = cv.conv1x1(X, K, b)
    assert maxdiff(Y, F.conv2d(torch.from_numpy(X), torch.from_numpy(K), torch.from_numpy(b))) < TOL
    assert maxdiff(Y[1, :, 2, 0], K[:, :, 0, 0] @ X[1, :, 2, 0] + b) < TOL     # one pixel: W x + b
    linear = nn.Linear(5, 7).double()
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(K[:, :, 0, 0])), linear.bias.copy_(torch.from_numpy(b))
    assert maxdiff(Y, linear(torch.from_numpy(X).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)) < TOL
    assert cv.conv_param_count(5, 7, 1, 1) == sum(p.numel() for p in linear.parameters())


def test_exercise_4_receptive_field_of_the_digits_cnn():
    layers = cv.STACKS["the digits CNN"]
    assert cv.receptive_field(layers) == 10 == cv.measured_receptive_field(layers)[0]
    stack = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, bias=False), nn.AvgPool2d(2),
                          nn.Conv2d(1, 1, 3, padding=1, bias=False), nn.AvgPool2d(2)).double()
    for conv in stack[::2]:
        nn.init.ones_(conv.weight)
    for i, rows in [(0, (0, 6)), (1, (1, 7))]:                          # the windows derived in the solution
        x = torch.zeros(1, 1, 8, 8, dtype=torch.float64, requires_grad=True)
        stack(x)[0, 0, i, i].backward()
        seen = torch.nonzero(x.grad[0, 0].sum(dim=1)).flatten()
        assert (seen.min().item(), seen.max().item()) == rows


# ---------------------------------------------------------------- figures and the command line

def test_figures():
    import matplotlib.pyplot as plt
    fig = cv.plot_feature_maps()
    assert [ax.get_title() for ax in fig.axes] == ["input digit", "kernel A", "feature map A", "kernel B = Aᵀ",
                                                   "feature map B"]
    digit = np.pad(cv.load_digits().images[0], 1)
    k_A = np.array([[-1.0, 0.0, 1.0]] * 3)
    theirs = F.conv2d(torch.from_numpy(digit)[None, None], torch.from_numpy(k_A)[None, None])[0, 0]
    assert maxdiff(fig.axes[2].images[0].get_array(), theirs) < TOL
    plt.close(fig)
    fig = cv.plot_receptive_field()
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4
    for title in titles:
        formula, measured = re.search(r"r = (\d+), measured (\d+)", title).groups()
        assert formula == measured
    plt.close(fig)


def test_check_reports_agreement_with_pytorch(run_main):
    out = run_main(MODULE, "--check")
    numbers = [float(v) for v in re.findall(r"\d\.\de[+-]\d\d", out)]
    assert len(numbers) == 10 and max(numbers) < TOL
    assert "972 settings, 0 mismatches" in out
    pairs = re.findall(r"formula (\d+), measured (\d+)", out)
    assert len(pairs) == 4 and all(a == b for a, b in pairs)


def test_sizes_table_agrees_row_by_row(run_main):
    rows = [line.split() for line in run_main(MODULE, "--sizes").splitlines()[1:11]]
    assert len(rows) == 10
    for row in rows:
        ours, theirs = row[6], row[7]
        assert ours == theirs or (ours, theirs) == ("ValueError", "RuntimeError")
    out = run_main(MODULE, "--sizes")
    assert "ours    ValueError: kernel extent" in out and "PyTorch RuntimeError: Calculated padded input" in out
