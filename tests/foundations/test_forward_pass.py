"""Tests for code/foundations/forward_pass.py: the neuron, the dense layer and the MLP forward pass."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import forward_pass as fp

MODULE = Path(fp.__file__)
TOL = 1e-12                                        # float64: only rounding may differ


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


# --- one neuron -----------------------------------------------------------------------------------

def test_neuron_is_relu_of_dot_plus_bias():
    x, w = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.25, -1.0])
    assert fp.neuron(x, w, 0.5, g=fp.identity) == pytest.approx(0.5 - 0.5 - 3.0 + 0.5, abs=TOL)
    assert fp.neuron(x, w, 0.5) == 0.0                              # z = -2.5 < 0: ReLU gives 0
    assert fp.neuron(x, -w, 0.5) == pytest.approx(3.5, abs=TOL)     # z = 3.5 > 0: passed through


def test_neuron_matches_torch():
    x, w, b = rand(4), rand(4, seed=1), 0.3
    expected = torch.relu(F.linear(t(x), t(w[None]), t([b])))       # (1,)
    assert abs(fp.neuron(x, w, b) - expected.item()) < TOL


@pytest.mark.parametrize("x, w, b, match", [
    (np.ones(3), np.ones(4), 0.0, r"x must have shape \(d\) with d = 4, got \(3,\)"),
    (np.ones(3), np.ones((1, 3)), 0.0, r"w must have shape \(d\), got \(1, 3\)"),
    (np.ones(3), np.ones(3), np.ones(2), r"b must be a scalar"),
])
def test_neuron_bad_shapes(x, w, b, match):
    with pytest.raises(ValueError, match=match):
        fp.neuron(x, w, b)


# --- one layer, batch form ------------------------------------------------------------------------

@pytest.mark.parametrize("N, d, m", [(1, 1, 1), (5, 3, 4), (2, 7, 1), (6, 2, 6)])
def test_dense_matches_nn_linear_values_and_gradients(N, d, m):
    X, W, b, dZ = rand(N, d), rand(m, d, seed=1), rand(m, seed=2), rand(N, m, seed=3)
    linear = fp.to_torch([(W, b)])[0]
    assert isinstance(linear, nn.Linear) and linear.weight.shape == (m, d)  # (out_features, in_features)
    Xt = t(X, grad=True)
    Z = linear(Xt)
    assert np.abs(fp.dense(X, W, b) - Z.detach().numpy()).max() < TOL
    (Z * t(dZ)).sum().backward()                                    # J = sum(Z * dZ) => ∂J/∂Z = dZ
    dX, dW, db = fp.dense_backward(dZ, X, W)
    for ours, theirs in [(dX, Xt.grad), (dW, linear.weight.grad), (db, linear.bias.grad)]:
        assert ours.shape == tuple(theirs.shape)
        assert np.abs(ours - theirs.numpy()).max() < TOL


def test_dense_is_F_linear_and_X_WT_plus_b():
    X, W, b = rand(3, 4), rand(2, 4, seed=1), rand(2, seed=2)
    Z = fp.dense(X, W, b)
    assert Z.shape == (3, 2)
    assert np.abs(Z - F.linear(t(X), t(W), t(b)).numpy()).max() < TOL
    assert np.abs(Z - (X @ W.T + b)).max() < TOL


def test_dense_backward_matches_finite_differences():
    X, W, b, dZ = rand(3, 2), rand(4, 2, seed=1), rand(4, seed=2), rand(3, 4, seed=3)
    J = lambda X, W, b: np.sum(fp.dense(X, W, b) * dZ)              # a scalar with ∂J/∂Z = dZ
    grads = fp.dense_backward(dZ, X, W)
    h = 1e-6
    for i, arg in enumerate((X, W, b)):
        numeric = np.zeros_like(arg)
        for k in np.ndindex(arg.shape):
            plus, minus = [a.copy() for a in (X, W, b)], [a.copy() for a in (X, W, b)]
            plus[i][k] += h
            minus[i][k] -= h
            numeric[k] = (J(*plus) - J(*minus)) / (2 * h)
        assert np.abs(grads[i] - numeric).max() < 1e-8


def test_batch_form_equals_looping_neuron_by_neuron():
    X, W, b = rand(4, 3), rand(5, 3, seed=1), rand(5, seed=2)
    Z = fp.dense(X, W, b)
    assert np.abs(Z - fp.dense_loop(X, W, b)).max() < TOL
    for n in range(4):                                              # row n of Z: example n
        for j in range(5):                                          # column j: neuron j, row j of W
            assert abs(Z[n, j] - (W[j] @ X[n] + b[j])) < TOL
    assert np.abs(fp.relu(Z)[2] - [fp.neuron(X[2], W[j], b[j]) for j in range(5)]).max() < TOL


@pytest.mark.parametrize("X, W, b, match", [
    (np.ones((2, 4)), np.ones((2, 3)), np.ones(2), r"X must have shape \(N, d\) with d = 3, got \(2, 4\)"),
    (np.ones(3), np.ones((2, 3)), np.ones(2), r"X must have shape \(N, d\) with d = 3, got \(3,\)"),
    (np.ones((2, 3)), np.ones(3), np.ones(2), r"W must have shape \(m, d\), got \(3,\)"),
    (np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 1)), r"b must have shape \(m\) with m = 2, got \(2, 1\)"),
    (np.ones((2, 3)), np.ones((2, 3)), np.ones(3), r"b must have shape \(m\) with m = 2, got \(3,\)"),
])
def test_dense_bad_shapes(X, W, b, match):
    with pytest.raises(ValueError, match=match):
        fp.dense(X, W, b)


def test_dense_backward_bad_shape():
    with pytest.raises(ValueError, match=r"dZ must have shape \(N, m\) with N = 3, m = 2, got \(2, 3\)"):
        fp.dense_backward(np.ones((2, 3)), np.ones((3, 4)), np.ones((2, 4)))


# --- the MLP --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sizes, g, g_torch", [
    ([3, 2, 1], fp.relu, nn.ReLU), ([4, 8, 8, 3], fp.relu, nn.ReLU),
    ([5, 6, 2], np.tanh, nn.Tanh), ([2, 3], fp.relu, nn.ReLU),
])
def test_mlp_forward_matches_sequential(sizes, g, g_torch):
    X = rand(7, sizes[0], seed=4)
    params = fp.init_params(sizes, seed=5)
    model = fp.to_torch(params, g=g_torch)
    assert len(model) == 2 * len(params) - 1                        # no activation after the last Linear
    out = model(t(X)).detach().numpy()
    assert out.shape == (7, sizes[-1])
    assert np.abs(fp.mlp_forward(X, params, g=g) - out).max() < TOL


def test_mlp_gradients_match_autograd_through_the_same_ops():
    # the forward pass written with the torch twins of the NumPy ops (@, .T, +, maximum) gives the same
    # gradients as nn.Sequential: the two compute the same function of the same parameters
    X, params = rand(4, 3), fp.init_params([3, 5, 2], seed=1)
    tp = [(t(W, grad=True), t(b, grad=True)) for W, b in params]
    A = t(X)
    for l, (W, b) in enumerate(tp):
        Z = A @ W.T + b
        A = torch.clamp(Z, min=0.0) if l < len(tp) - 1 else Z
    A.square().sum().backward()
    model = fp.to_torch(params)
    model(t(X)).square().sum().backward()
    linears = [model[0], model[2]]
    assert np.abs(A.detach().numpy() - fp.mlp_forward(X, params)).max() < TOL
    for (W, b), lin in zip(tp, linears):
        assert torch.allclose(W.grad, lin.weight.grad, atol=TOL, rtol=0)
        assert torch.allclose(b.grad, lin.bias.grad, atol=TOL, rtol=0)


def test_mlp_return_all_gives_every_layer_with_its_shape():
    X, params = fp.example_network()
    layers = fp.mlp_forward(X, params, return_all=True)
    assert [None if Z is None else Z.shape for Z, _ in layers] == [None, (2, 2), (2, 1)]
    assert np.array_equal(layers[0][1], X)                          # A⁰ = X
    assert np.array_equal(layers[1][1], np.maximum(layers[1][0], 0))  # A¹ = relu(Z¹)
    assert np.array_equal(layers[2][1], layers[2][0])               # identity output


def test_mlp_bad_shapes_name_the_layer():
    params = fp.init_params([3, 4, 2])
    with pytest.raises(ValueError, match=r"layer 1 \(input A\^0\): X must have shape \(N, d\) with d = 3"):
        fp.mlp_forward(np.ones((2, 5)), params)
    params[1] = (np.ones((2, 5)), np.ones(2))                      # expects 5 inputs, layer 1 gives 4
    match = r"layer 2 \(input A\^1\): X must have shape \(N, d\) with d = 5, got \(2, 4\)"
    with pytest.raises(ValueError, match=match):
        fp.mlp_forward(np.ones((2, 3)), params)
    with pytest.raises(ValueError, match="at least one"):
        fp.mlp_forward(np.ones((2, 3)), [])


def test_worked_example_matches_sequential_and_prints_shapes(capsys):
    X, params = fp.example_network()
    expected = fp.to_torch(params)(t(X)).detach().numpy()
    assert np.abs(fp.mlp_forward(X, params) - expected).max() < TOL
    assert np.any(fp.mlp_forward(X, params, return_all=True)[1][0] < 0)  # a ReLU really cuts something
    fp.worked_example()
    out = capsys.readouterr().out
    for piece in ["shape (2, 3)", "shape (2, 2)", "shape (2, 1)", "shape (1, 2)", "shape (2,)", "relu(Z1)"]:
        assert piece in out


def test_torch_way_runs_and_prints_the_mapping(capsys):
    fp.torch_way()
    out = capsys.readouterr().out
    assert "Linear(in_features=3, out_features=2" in out and "weight (2, 3) bias (2,)" in out
    assert "nn.Sequential output [-1.5  8.5]" in out                 # Z2 of the worked example


def test_xor_table(capsys):
    fp.print_xor()
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [row.split()[-1] for row in rows] == ["0", "1", "1", "0"]


# --- no activation: layers collapse -------------------------------------------------------------

def test_two_linear_layers_collapse_to_one():
    X = rand(6, 3)
    (W1, b1), (W2, b2) = fp.init_params([3, 5, 2], seed=2)
    W, b = fp.collapse(W1, b1, W2, b2)
    assert W.shape == (2, 3) and b.shape == (2,)
    stacked = fp.mlp_forward(X, [(W1, b1), (W2, b2)], g=fp.identity)
    assert np.abs(stacked - fp.dense(X, W, b)).max() < TOL
    two_linear = nn.Sequential(*fp.to_torch([(W1, b1)]), *fp.to_torch([(W2, b2)]))
    assert np.abs(two_linear(t(X)).detach().numpy() - fp.dense(X, W, b)).max() < TOL


def test_with_relu_the_network_is_not_affine():
    # an affine f has f((x + y) / 2) = (f(x) + f(y)) / 2 for all x, y; a ReLU network breaks it
    params = fp.init_params([2, 8, 1], seed=3)
    X, Y = rand(50, 2, seed=6) * 3, rand(50, 2, seed=7) * 3
    gap = lambda g: np.abs(fp.mlp_forward((X + Y) / 2, params, g=g)
                           - (fp.mlp_forward(X, params, g=g) + fp.mlp_forward(Y, params, g=g)) / 2).max()
    assert gap(fp.identity) < TOL
    assert gap(fp.relu) > 1e-3


# --- parameter count ----------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [[3, 2, 1], [1, 1], [10, 1], [784, 128, 64, 10], [5, 32, 32, 32, 4]])
def test_parameter_count_matches_pytorch(sizes):
    ours, theirs = fp.count_both(sizes)
    assert ours == theirs
    model = fp.to_torch(fp.init_params(sizes))
    assert fp.n_params(sizes) == sum(p.numel() for p in model.parameters())


def test_parameter_count_of_one_layer():
    assert fp.n_params_layer(3, 2) == 8                            # 2·3 weights + 2 biases
    assert fp.n_params_layer(784, 128) == nn.Linear(784, 128).weight.numel() + 128


def test_print_params(capsys):
    fp.print_params([3, 2, 1])
    out = capsys.readouterr().out
    assert "layer 1: 3 -> 2: m*d + m = 2*3 + 2 = 8" in out
    assert "total n_params = 11; PyTorch sum(p.numel()) = 11" in out


# --- output heads -------------------------------------------------------------------------------

def test_output_heads_match_torch_with_extreme_logits():
    Z = np.array([[-1e4, 0.0, 1e4], [3.0, -2.0, 0.5], [700.0, 710.0, -800.0]])
    sig, soft = fp.output_head(Z, "multilabel"), fp.output_head(Z, "multiclass")
    assert np.all(np.isfinite(sig)) and np.all(np.isfinite(soft))
    assert np.abs(sig - torch.sigmoid(t(Z)).numpy()).max() < TOL
    assert np.abs(soft - torch.softmax(t(Z), dim=-1).numpy()).max() < TOL
    assert np.allclose(soft.sum(axis=1), 1.0)
    assert np.array_equal(fp.output_head(Z, "regression"), Z)
    assert fp.output_head(np.array([[1e4], [-1e4]]), "binary").ravel().tolist() == [1.0, 0.0]


def test_output_head_bad_input():
    with pytest.raises(ValueError, match=r"Z must have shape \(N, k\) with k = 1, got \(4, 2\)"):
        fp.output_head(np.zeros((4, 2)), "binary")
    with pytest.raises(ValueError, match="task must be one of"):
        fp.output_head(np.zeros((4, 2)), "ranking")


def test_init_params_shapes_and_bounds():
    params = fp.init_params([4, 3, 2], seed=1)
    assert [(W.shape, b.shape) for W, b in params] == [((3, 4), (3,)), ((2, 3), (2,))]
    for (W, b), d in zip(params, [4, 3]):
        assert np.abs(W).max() <= 1 / np.sqrt(d) and np.abs(b).max() <= 1 / np.sqrt(d)


# --- pitfalls -----------------------------------------------------------------------------------

def test_pitfall_transposed_weight_is_silently_wrong_for_square_W():
    assert fp.pitfall_transposed_weight() > 0.1
    with pytest.raises(ValueError, match="mismatch"):                # non-square: numpy does complain
        np.ones((4, 3)) @ np.ones((2, 3))


def test_pitfall_column_bias_gives_wrong_shape_silently():
    assert fp.pitfall_column_bias() == (2, 2)
    with pytest.raises(ValueError, match=r"b must have shape \(m\)"):  # dense refuses it
        fp.dense(np.ones((1, 3)), np.ones((2, 3)), np.zeros((2, 1)))


def test_pitfall_dtype_mismatch_raises_in_torch():
    assert "same dtype" in fp.pitfall_dtype()


def test_pitfall_softmax_for_multilabel_caps_probabilities():
    s, p = fp.pitfall_softmax_multilabel()
    assert np.allclose(s.sum(), 1.0) and s[0, 0] <= 0.5
    assert p[0, 0] > 0.99 and p[0, 1] > 0.99


def test_pitfall_no_activation_cannot_fit_xor():
    assert np.allclose(fp.pitfall_no_activation(), 0.5, atol=1e-12)


# --- exercises ----------------------------------------------------------------------------------

def test_exercise_xor_network_is_exact():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = fp.mlp_forward(X, fp.xor_params())
    assert y.ravel().tolist() == [0.0, 1.0, 1.0, 0.0]
    assert fp.to_torch(fp.xor_params())(t(X)).detach().numpy().ravel().tolist() == [0.0, 1.0, 1.0, 0.0]


def test_exercise_bias_trick_equals_dense():
    X, W, b = rand(5, 3), rand(4, 3, seed=1), rand(4, seed=2)
    assert np.abs(fp.dense_bias_trick(X, W, b) - fp.dense(X, W, b)).max() < TOL


def test_exercise_param_count_of_mnist_mlp():
    assert fp.count_both([784, 128, 64, 10]) == (784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10,) * 2


# --- figure and command line --------------------------------------------------------------------

def test_figure():
    import matplotlib.pyplot as plt
    fig = fp.plot_relu_features()
    assert len(fig.axes) == 2
    plt.close(fig)


def test_check_mode_reports_tiny_differences():
    out = subprocess.run([sys.executable, str(MODULE), "--check"], capture_output=True, text=True,
                         check=True).stdout
    values = [float(line.split()[-1]) for line in out.splitlines() if " vs " in line]
    assert len(values) == 9 and max(values) < 1e-12
    for line in out.splitlines():
        if line.strip().startswith("n_params"):
            ours, theirs = (part.split("=")[-1].strip() for part in line.split(", sum("))
            assert ours == theirs


def test_pitfalls_printout_is_numbered_as_on_the_page(capsys):
    # the page's Pitfalls list cites these lines by number: 4 is XOR, 5 is softmax vs sigmoid
    fp.pitfalls()
    lines = capsys.readouterr().out.splitlines()
    assert [line[:2] for line in lines] == ["1.", "2.", "3.", "4.", "5."]
    assert "XOR" in lines[3] and "softmax" in lines[4] and "(2, 2)" in lines[1]
