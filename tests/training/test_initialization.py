"""Tests for code/training/initialization.py (page: docs/training/initialization.md).

calculate_gain and the fans equal torch.nn.init's; the std and bound formulas are exactly the ones torch uses
(a seeded torch draw equals the same draw made with our numbers); our NumPy samplers have the target
variance (within a few standard errors on 10^6 draws), the exact uniform bounds, and the same distribution
as torch's (Kolmogorov-Smirnov); nn.Linear's default is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); eq. (2) and the
ReLU halving hold by Monte Carlo; equal starting weights give hidden units that stay equal through training
(NumPy and torch.optim.SGD, step for step); the deep-stack experiment shows the page's claims; hand-derived
gradients equal autograd and finite differences; bad input raises the errors torch raises (or a clearer one).
"""
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import initialization as init

MODULE = Path(init.__file__)
N_DRAWS = (800, 1250)                                    # 10^6 weights: fan_in 1250, fan_out 800


def ks_distance(a, b):
    """Kolmogorov-Smirnov statistic: the largest gap between the two empirical CDFs."""
    a, b = np.sort(np.ravel(a)), np.sort(np.ravel(b))
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, "right") / a.size - np.searchsorted(b, grid, "right") / b.size))


# ---------------------------------------------------------------- gain and fans

@pytest.mark.parametrize("name", [*init.LINEAR_NAMES, "tanh", "relu", "selu", "leaky_relu"])
def test_gain_equals_torch(name):
    assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), abs=1e-15)


@pytest.mark.parametrize("slope", [0, 0.0, 0.01, 0.2, 1.0, 3])
def test_leaky_relu_gain_equals_torch_and_formula(slope):
    ours = init.calculate_gain("leaky_relu", slope)
    assert ours == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", slope), abs=1e-15)
    assert ours == pytest.approx(math.sqrt(2 / (1 + slope ** 2)), abs=1e-15)


def test_gain_values_of_table_1():
    assert init.calculate_gain("relu") == math.sqrt(2) and init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / 1.0001), abs=1e-15)  # slope 0.01


@pytest.mark.parametrize("bad", ["gelu", "ReLU", "softmax", None, 3])
def test_unknown_nonlinearity_raises_like_torch(bad):
    with pytest.raises(ValueError, match="nonlinearity must be one of .*got"):
        init.calculate_gain(bad)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        torch.nn.init.calculate_gain(bad)


@pytest.mark.parametrize("bad", [True, "0.1", [0.1]])
def test_bad_negative_slope_raises_like_torch(bad):
    with pytest.raises(ValueError, match="negative_slope must be a finite real number"):
        init.calculate_gain("leaky_relu", bad)
    with pytest.raises(ValueError, match="not a valid number"):
        torch.nn.init.calculate_gain("leaky_relu", bad)


def test_non_finite_negative_slope_raises():
    with pytest.raises(ValueError, match="finite real number, got nan"):
        init.calculate_gain("leaky_relu", float("nan"))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (16, 3, 3, 3), (4, 2, 5), (8, 4, 2, 3, 3), (7, 0), (0, 0)])
def test_fans_equal_torch(shape):
    assert init.fan_in_and_fan_out(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_of_dense_and_conv_weights():
    assert init.fan_in_and_fan_out((256, 784)) == (784, 256)              # nn.Linear(784, 256).weight
    assert init.fan_in_and_fan_out((16, 3, 5, 5)) == (3 * 25, 16 * 25)    # nn.Conv2d(3, 16, 5).weight, eq. (14)


@pytest.mark.parametrize("shape", [(5,), ()])
def test_fewer_than_two_dims_raise_like_torch(shape):
    with pytest.raises(ValueError, match=r"at least 2 dimensions \(out_features, in_features, \*kernel\)"):
        init.fan_in_and_fan_out(shape)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.kaiming_normal(shape, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        torch.nn.init.kaiming_normal_(torch.empty(shape))


@pytest.mark.parametrize("bad", [[3, 4], (3.0, 4), (3, -1), "34", np.zeros((3, 4))])
def test_shape_must_be_a_tuple_of_integers(bad):
    with pytest.raises(TypeError, match="shape must be a tuple of integers >= 0"):
        init.fan_in_and_fan_out(bad)


# ---------------------------------------------------------------- the formulas: exactly torch's

@pytest.mark.parametrize("shape", [(300, 200), (64, 3, 3, 3), (10, 1)])
@pytest.mark.parametrize("gain", [1.0, 0.5, 5 / 3])
def test_xavier_formula_is_torchs(shape, gain):
    fan_in, fan_out = init.fan_in_and_fan_out(shape)
    assert init.xavier_std(shape, gain) == pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)), rel=1e-15)
    bound = math.sqrt(3) * init.xavier_std(shape, gain)
    assert bound == pytest.approx(gain * math.sqrt(6 / (fan_in + fan_out)), rel=1e-15)       # eq. (9)
    assert init._replay("xavier_uniform_", shape, {"gain": gain}, bound) == 0.0
    assert init._replay("xavier_normal_", shape, {"gain": gain}, init.xavier_std(shape, gain)) == 0.0


@pytest.mark.parametrize("shape", [(300, 200), (64, 3, 3, 3)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("relu", 0), ("leaky_relu", 0.2), ("leaky_relu", 0), ("tanh", 0),
                                             ("linear", 0)])
def test_kaiming_formula_is_torchs(shape, mode, nonlinearity, a):
    kw = {"a": a, "mode": mode, "nonlinearity": nonlinearity}
    fan = init.fan_in_and_fan_out(shape)[mode == "fan_out"]
    std = init.kaiming_std(shape, **kw)
    assert std == pytest.approx(init.calculate_gain(nonlinearity, a) / math.sqrt(fan), rel=1e-15)
    assert init._replay("kaiming_uniform_", shape, kw, math.sqrt(3) * std) == 0.0
    assert init._replay("kaiming_normal_", shape, kw, std) == 0.0


def test_replay_detects_a_wrong_formula():
    """The seeded comparison is sharp: a bound off by 1% (or fan_out for fan_in) is caught."""
    shape, std = (300, 200), init.kaiming_std((300, 200), nonlinearity="relu")
    assert init._replay("kaiming_uniform_", shape, {"nonlinearity": "relu"}, 1.01 * math.sqrt(3) * std) > 1e-4
    wrong = init.kaiming_std(shape, mode="fan_out", nonlinearity="relu")
    assert init._replay("kaiming_normal_", shape, {"nonlinearity": "relu"}, wrong) > 1e-3


def test_he_for_relu_is_2_over_fan_in_and_torch_default_is_the_same():
    shape = (128, 512)
    assert init.kaiming_std(shape, nonlinearity="relu") ** 2 == pytest.approx(2 / 512, rel=1e-15)   # eq. (11)
    assert init.kaiming_std(shape, mode="fan_out", nonlinearity="relu") ** 2 == pytest.approx(2 / 128, rel=1e-15)
    assert init.kaiming_std(shape) == init.kaiming_std(shape, nonlinearity="relu")   # leaky_relu, a = 0
    assert init.xavier_std(shape) ** 2 == pytest.approx(2 / (512 + 128), rel=1e-15)                  # eq. (8)


# ---------------------------------------------------------------- our NumPy draws: variance, bounds, distribution

SAMPLERS = {
    "xavier_uniform": (lambda rng: init.xavier_uniform(N_DRAWS, 5 / 3, rng),
                       lambda t: torch.nn.init.xavier_uniform_(t, gain=5 / 3), init.xavier_std(N_DRAWS, 5 / 3)),
    "xavier_normal": (lambda rng: init.xavier_normal(N_DRAWS, 5 / 3, rng),
                      lambda t: torch.nn.init.xavier_normal_(t, gain=5 / 3), init.xavier_std(N_DRAWS, 5 / 3)),
    "kaiming_uniform": (lambda rng: init.kaiming_uniform(N_DRAWS, nonlinearity="relu", rng=rng),
                        lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu"),
                        init.kaiming_std(N_DRAWS, nonlinearity="relu")),
    "kaiming_normal": (lambda rng: init.kaiming_normal(N_DRAWS, mode="fan_out", nonlinearity="relu", rng=rng),
                       lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"),
                       init.kaiming_std(N_DRAWS, mode="fan_out", nonlinearity="relu")),
}


@pytest.fixture(scope="module")
def draws():
    torch.manual_seed(0)
    return {name: (ours(np.random.default_rng(1)), theirs(torch.empty(N_DRAWS, dtype=torch.float64)).numpy(), std)
            for name, (ours, theirs, std) in SAMPLERS.items()}


@pytest.mark.parametrize("name", SAMPLERS)
def test_variance_and_mean_within_statistical_tolerance(draws, name):
    ours, theirs, std = draws[name]
    assert ours.shape == N_DRAWS and ours.dtype == np.float64
    # standard error of a sample variance on 10^6 draws: sqrt(2/n) = 0.0014 (normal), sqrt(0.8/n) (uniform)
    for w in (ours, theirs):
        assert abs(w.var() / std ** 2 - 1) < 0.008
        assert abs(w.mean()) < 5 * std / 1000                   # 5 standard errors of the mean
        # two different distributions with the same variance would pass the variance test: the 4th moment
        kurtosis = np.mean(w ** 4) / w.var() ** 2
        assert kurtosis == pytest.approx(1.8 if "uniform" in name else 3.0, abs=0.05)


@pytest.mark.parametrize("name", ["xavier_uniform", "kaiming_uniform"])
def test_uniform_bounds_are_exact(draws, name):
    ours, theirs, std = draws[name]
    bound = math.sqrt(3) * std
    for w in (ours, theirs):
        assert np.abs(w).max() <= bound                        # never outside [-b, b]
        assert w.max() > 0.9999 * bound and w.min() < -0.9999 * bound   # and reaching both ends


@pytest.mark.parametrize("name", SAMPLERS)
def test_same_distribution_as_torch(draws, name):
    ours, theirs, _ = draws[name]
    assert ks_distance(ours, theirs) < 0.004                   # KS critical value at alpha = 1e-6, n = m = 10^6


def test_ks_tells_uniform_from_normal(draws):
    """The distribution test can fail: a uniform and a normal of equal variance are far apart."""
    uniform, normal = draws["xavier_uniform"][0], draws["xavier_normal"][0]
    assert ks_distance(uniform, normal) > 0.02


def test_same_seed_same_weights_and_default_rng():
    a = init.kaiming_normal((4, 3), rng=np.random.default_rng(5))
    assert np.array_equal(a, init.kaiming_normal((4, 3), rng=np.random.default_rng(5)))
    assert init.xavier_uniform((4, 3)).shape == (4, 3)         # rng=None draws fresh randomness


@pytest.mark.parametrize("bad", [0, np.random.RandomState(0), "seed"])
def test_rng_must_be_a_generator(bad):
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator"):
        init.xavier_normal((3, 4), rng=bad)


# ---------------------------------------------------------------- bad input: fans of 0, modes, gains

@pytest.mark.parametrize("shape, mode", [((5, 0), "fan_in"), ((0, 5), "fan_out"), ((4, 3, 0, 3), "fan_in")])
def test_fan_of_zero_raises_where_torch_warns_and_does_nothing(shape, mode):
    with pytest.raises(ValueError, match=f"{mode} must be > 0 .* got shape"):
        init.kaiming_uniform(shape, mode=mode, rng=np.random.default_rng(0))
    t = torch.full(shape, 7.0)
    with pytest.warns(UserWarning, match="zero-element tensors is a no-op"):
        torch.nn.init.kaiming_uniform_(t, mode=mode)


def test_xavier_with_both_fans_zero_raises_where_torch_divides_by_zero():
    with pytest.raises(ValueError, match="fan_in \\+ fan_out must be > 0"):
        init.xavier_uniform((0, 0), rng=np.random.default_rng(0))
    with pytest.raises(ZeroDivisionError):
        torch.nn.init.xavier_uniform_(torch.empty(0, 0))


def test_an_empty_weight_whose_fan_is_not_zero_is_fine():
    assert init.kaiming_normal((0, 5), rng=np.random.default_rng(0)).shape == (0, 5)   # fan_in = 5
    assert init.xavier_normal((3, 0), rng=np.random.default_rng(0)).shape == (3, 0)    # fan_in + fan_out = 3


def test_unknown_mode_raises_like_torch():
    with pytest.raises(ValueError, match="mode must be 'fan_in' .* or 'fan_out' .*, got 'fan_avg'"):
        init.kaiming_normal((3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        torch.nn.init.kaiming_normal_(torch.empty(3, 4), mode="fan_avg")


def test_unknown_nonlinearity_in_kaiming_raises_like_torch():
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        init.kaiming_uniform((3, 4), nonlinearity="gelu")
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        torch.nn.init.kaiming_uniform_(torch.empty(3, 4), nonlinearity="gelu")


@pytest.mark.parametrize("bad", ["1", None, float("inf"), True])
def test_gain_must_be_a_finite_number(bad):
    with pytest.raises(TypeError, match="gain must be a finite real number"):
        init.xavier_uniform((3, 4), gain=bad)


# ---------------------------------------------------------------- nn.Linear's default, eq. (15)

@pytest.mark.parametrize("fan_in", [1, 3, 300, 4096])
def test_linear_default_bound_is_one_over_sqrt_fan_in(fan_in):
    assert init.linear_default_bound(fan_in) == pytest.approx(1 / math.sqrt(fan_in), rel=1e-15)
    gain = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5))
    assert gain == pytest.approx(math.sqrt(1 / 3), rel=1e-15)           # sqrt(2 / (1 + 5))


def test_nn_linear_draws_exactly_u_of_the_bound():
    torch.manual_seed(3)
    layer = nn.Linear(300, 200, dtype=torch.float64)
    torch.manual_seed(3)
    b = init.linear_default_bound(300)
    W = torch.empty(200, 300, dtype=torch.float64).uniform_(-b, b)
    bias = torch.empty(200, dtype=torch.float64).uniform_(-b, b)
    assert torch.allclose(layer.weight, W, rtol=0, atol=1e-15)
    assert torch.allclose(layer.bias, bias, rtol=0, atol=1e-15)


def test_nn_linear_and_conv2d_default_variance_is_a_third_of_lecun():
    torch.manual_seed(0)
    for layer, fan_in in ((nn.Linear(1000, 1000), 1000), (nn.Conv2d(64, 256, 3), 64 * 9)):
        w = layer.weight.detach().double()
        assert w.abs().max() <= 1 / math.sqrt(fan_in) and w.abs().max() > 0.999 / math.sqrt(fan_in)
        assert float(w.var()) * 3 * fan_in == pytest.approx(1.0, abs=0.01)


# ---------------------------------------------------------------- the derivation, eqs. (2), (3) and (10)

def test_one_he_relu_layer_keeps_the_second_moment_eqs_2_and_10():
    """E[a^2] = 1/2 n Var(w) E[x^2] = E[x^2] for one ReLU layer with He weights, on inputs of mean 1:
    the second moment E[x^2], not Var(x), is what eq. (2) carries."""
    second_moments = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        X = rng.uniform(0.0, 2.0, size=(4, 256))                   # E[x] = 1, Var(x) = 1/3, E[x^2] = 4/3
        W = init.kaiming_normal((256, 256), nonlinearity="relu", rng=rng)
        A = init.stack_forward_backward(X, np.zeros_like(X), [W], "relu")[0][0]
        second_moments.append(np.mean(A ** 2))
    assert np.mean(second_moments) == pytest.approx(4 / 3, rel=0.03)
    assert abs(np.mean(second_moments) - 1 / 3) > 0.5             # a rule built on Var(x) would be far off


def test_one_linear_layer_eq_3_and_the_backward_half():
    """Zero-mean inputs, linear gain: Var(z) = n Var(w) Var(x), eq. (3); through ReLU, E[relu'(z)^2] = 1/2."""
    rng = np.random.default_rng(0)
    X = rng.normal(0.0, 1.5, size=(4, 256))
    Ws = [init.kaiming_normal((256, 256), nonlinearity="linear", rng=rng) for _ in range(20)]
    Z = np.concatenate([X @ W.T for W in Ws])                      # 20 independent draws of W, eq. (2)
    assert Z.var() == pytest.approx(256 * (1 / 256) * np.mean(X ** 2), rel=0.02)   # E[x^2] of this X
    G = rng.normal(size=(4, 256))
    _, dAs, _ = init.stack_forward_backward(X, G, Ws[:1], "relu")   # one layer: dJ/dA^0 is not returned,
    dA0 = (dAs[0] * (X @ Ws[0].T > 0)) @ Ws[0]                      # so apply eq. (6) once more by hand
    assert np.mean(dA0 ** 2) / np.mean(dAs[0] ** 2) == pytest.approx(0.5, rel=0.1)   # n Var(w) * 1/2


# ---------------------------------------------------------------- symmetry breaking, eq. (1)

@pytest.fixture(scope="module")
def toy():
    return init.toy_regression()


def test_constant_init_units_stay_equal_forever(toy):
    X, y = toy
    p0 = init.mlp_params("constant", c=0.5)
    p, losses = init.train_mlp(p0, X, y, steps=300)
    assert init.unit_spread(p0) == 0.0
    assert init.unit_spread(p) < 1e-12                            # still identical after 300 steps
    assert np.abs(p["W1"] - p0["W1"]).max() > 0.1                 # although every weight moved
    assert losses[-1] < losses[0]


def test_zero_init_only_the_output_bias_learns(toy):
    X, y = toy
    p0 = init.mlp_params("zeros")
    p, losses = init.train_mlp(p0, X, y, steps=300)
    for k in ("W1", "b1", "W2"):
        assert np.array_equal(p[k], p0[k]), k                     # exactly zero gradient at every step
    assert abs(p["b2"][0] - y.mean()) < 1e-3                      # the best constant guess
    assert losses[-1] == pytest.approx(np.var(y), rel=1e-3)


def test_random_init_breaks_the_symmetry_and_fits_better(toy):
    X, y = toy
    p_rand, l_rand = init.train_mlp(init.mlp_params("random", rng=np.random.default_rng(0)), X, y)
    p_const, l_const = init.train_mlp(init.mlp_params("constant"), X, y)
    assert init.unit_spread(p_rand) > 0.1
    assert l_rand[-1] < 0.2 * l_const[-1]


@pytest.mark.parametrize("kind", ["constant", "random", "zeros"])
def test_training_equals_torch_optim_sgd(toy, kind):
    X, y = toy
    p = init.mlp_params(kind, rng=np.random.default_rng(0))
    ours, theirs = init.train_mlp(p, X, y, steps=100)[0], init.train_mlp_torch(p, X, y, steps=100)
    for k in ours:
        assert np.abs(ours[k] - theirs[k]).max() < 1e-12, k
    if kind == "constant":
        assert init.unit_spread(theirs) < 1e-12                   # torch keeps the units equal too


def test_mlp_gradients_equal_autograd_and_finite_differences(toy):
    X, y = toy
    p = init.mlp_params("random", rng=np.random.default_rng(4))
    loss, grads = init.mlp_loss_and_grads(p, X, y)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    Xt, yt = torch.tensor(X), torch.tensor(y)
    J = torch.mean((torch.tanh(Xt @ t["W1"].T + t["b1"]) @ t["W2"].T + t["b2"] - yt) ** 2)
    J.backward()
    assert loss == pytest.approx(J.item(), abs=1e-14)
    for k in p:
        assert np.abs(grads[k] - t[k].grad.numpy()).max() < 1e-13, k
        for idx in [(0,) * p[k].ndim, tuple(s - 1 for s in p[k].shape)]:
            h, q = 1e-6, {kk: vv.copy() for kk, vv in p.items()}
            q[k][idx] += h
            up = init.mlp_loss_and_grads(q, X, y)[0]
            q[k][idx] -= 2 * h
            assert (up - init.mlp_loss_and_grads(q, X, y)[0]) / (2 * h) == pytest.approx(grads[k][idx], abs=1e-8)


def test_mlp_params_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be 'zeros', 'constant' or 'random'"):
        init.mlp_params("ones")


# ---------------------------------------------------------------- the deep stack: gradients, then the claims

@pytest.mark.parametrize("g", ["relu", "tanh"])
def test_stack_equals_autograd_with_hooks(g):
    rng = np.random.default_rng(7)
    X, G = rng.normal(size=(6, 32)), rng.normal(size=(6, 32))
    Ws = init.init_stack("he", 8, 32, rng)
    ours, theirs = init.stack_forward_backward(X, G, Ws, g), init.torch_stack_stats(init.torch_stack(Ws, g), X, G)
    for mine, yours in zip(ours, theirs):                        # activations, dJ/dA^l, dJ/dW^l
        assert len(mine) == len(yours) == 8
        for a, b in zip(mine, yours):
            assert np.abs(a - b).max() < 1e-13


def test_stack_weight_gradient_equals_finite_differences():
    rng = np.random.default_rng(8)
    X, G = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    Ws = init.init_stack("xavier", 3, 5, rng)
    J = lambda Ws: np.sum(G * init.stack_forward_backward(X, G, Ws, "tanh")[0][-1]) / len(X)   # noqa: E731
    dWs = init.stack_forward_backward(X, G, Ws, "tanh")[2]
    for l in range(3):
        for idx in [(0, 0), (2, 4), (4, 1)]:
            up = [W.copy() for W in Ws]
            down = [W.copy() for W in Ws]
            up[l][idx] += 1e-6
            down[l][idx] -= 1e-6
            assert (J(up) - J(down)) / 2e-6 == pytest.approx(dWs[l][idx], abs=1e-9)


def test_init_stack_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind must be one of"):
        init.init_stack("orthogonal", 2, 4, np.random.default_rng(0))


@pytest.fixture(scope="module")
def stats():
    return init.experiment()                                     # L = 30, n = 256, seeded


def per_layer_factor(values):
    """The geometric-mean factor by which the std changes from one layer to the next."""
    return (values[-1] / values[0]) ** (1 / (len(values) - 1))


def test_he_keeps_relu_activations_and_gradients_constant(stats):
    a, d = stats["relu", "he"]
    assert len(a) == len(d) == 30
    assert np.all((a > 0.5 * a[0]) & (a < 2 * a[0]))               # within a factor 2 at every depth
    assert np.all((d > 0.5 * d[-1]) & (d < 2 * d[-1]))
    assert per_layer_factor(a) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("g, c", [("relu", 0.5), ("tanh", 1.0)])
def test_too_small_shrinks_geometrically_at_the_predicted_rate(stats, g, c):
    a, d = stats[g, "small"]
    predicted = math.sqrt(256 * 0.01 ** 2 * c)                   # eq. (4): per-layer factor of the std
    slopes = np.diff(np.log(a))                                  # log of each layer-to-layer factor
    assert np.exp(slopes.mean()) == pytest.approx(predicted, rel=0.03)
    assert np.all(np.abs(slopes - np.log(predicted)) < 0.2)      # every layer, not only on average
    assert a[-1] < 1e-20 and d[0] < 1e-20                        # and the gradient at the bottom too


def test_xavier_with_relu_decays_by_one_over_sqrt_2(stats):
    a, d = stats["relu", "xavier"]
    assert per_layer_factor(a) == pytest.approx(1 / math.sqrt(2), rel=0.03)
    assert a[-1] < 1e-3 * a[0] and d[0] < 1e-3 * d[-1]


@pytest.mark.parametrize("g", ["relu", "tanh"])
def test_zeros_give_zero_everywhere_but_the_top_gradient(stats, g):
    a, d = stats[g, "zeros"]
    assert np.all(a == 0.0)
    assert np.all(d[:-1] == 0.0) and d[-1] > 0.1                 # dJ/dA^L = G / N, nothing below


def test_zeros_give_zero_weight_gradients_in_every_layer():
    rng = np.random.default_rng(0)
    X, G = rng.normal(size=(4, 16)), rng.normal(size=(4, 16))
    for g in ("relu", "tanh"):
        _, _, dWs = init.stack_forward_backward(X, G, init.init_stack("zeros", 5, 16, rng), g)
        assert all(np.all(dW == 0.0) for dW in dWs)


def test_xavier_with_tanh_decays_slowly_not_geometrically(stats):
    a, _ = stats["tanh", "xavier"]
    assert 0.1 * a[0] < a[-1] < 0.5 * a[0]
    assert a[-1] / a[-11] > 0.75                                 # the last 10 layers lose little


def test_he_with_tanh_saturates_and_gradients_grow_downwards(stats):
    a, d = stats["tanh", "he"]
    assert np.all(a < 1.0) and a[-1] > 0.3
    assert d[0] > 2 * d[-1]


# ---------------------------------------------------------------- PyTorch init, pitfalls, exercises, CLI

def test_model_apply_initializes_every_linear_layer():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(1000, 800), nn.ReLU(), nn.Linear(800, 600), nn.ReLU(), nn.Linear(600, 10))
    assert model.apply(init.init_weights) is model
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for layer in linears:
        w = layer.weight.detach()
        tolerance = 5 * math.sqrt(2 / w.numel())                   # 5 standard errors of a sample variance
        assert float(w.var()) * layer.in_features / 2 == pytest.approx(1.0, abs=tolerance)
        assert torch.count_nonzero(layer.bias) == 0


def test_pitfalls_show_their_symptoms(run_main, capsys):
    init.pitfalls()
    out = capsys.readouterr().out
    he, var_as_std, default = map(float, re.search(r"He ([\d.e+-]+); .* \(a variance\) ([\d.e+-]+); "
                                                   r"nn.Linear's default ([\d.e+-]+)", out).groups())
    assert he > 0.3 and var_as_std < 1e-20 and default < 1e-8
    std = float(re.search(r"kernel: std ([\d.]+)", out).group(1))
    assert std == pytest.approx(math.sqrt(2 / 256), rel=0.02)
    conv_std = float(re.search(r"Conv2d\(3, 16, 3\): std ([\d.]+)", out).group(1))
    assert conv_std == pytest.approx(math.sqrt(2 / 27), rel=0.1)
    assert "TypeError: cannot assign" in out and "RuntimeError: a leaf Variable that requires grad" in out


@pytest.mark.parametrize("a", [0.0, 0.01, 0.2, 0.5, 1.0])
def test_exercise_2_leaky_gain(a):
    assert init.leaky_gain_monte_carlo(a) == pytest.approx(init.calculate_gain("leaky_relu", a), rel=0.003)


def test_exercise_3_conv_fan_in():
    measured, predicted = init.conv_output_variance()
    assert predicted == 4.0 and measured == pytest.approx(predicted, rel=0.03)
    measured_k5, _ = init.conv_output_variance(C_in=4, k=5, seed=1)
    assert measured_k5 == pytest.approx(4.0, rel=0.03)


def test_exercise_4_fan_in_keeps_forward_fan_out_keeps_backward():
    fwd_in, bwd_in = init.funnel_stats("fan_in")
    fwd_out, bwd_out = init.funnel_stats("fan_out")
    assert 0.6 < fwd_in < 1.6 and 0.6 < bwd_out < 1.6                  # the preserved direction
    assert 8 < bwd_in < 32 and 1 / 32 < fwd_out < 1 / 8                 # the other: 256 / 16 = 16, eq. (13)


def test_plots_return_two_panels_of_three_lines():
    import matplotlib.pyplot as plt
    for f in (init.plot_relu, init.plot_tanh):
        fig = f()
        assert len(fig.axes) == 2 and all(len(ax.lines) == 3 for ax in fig.axes)
        assert all(ax.get_yscale() == "log" for ax in fig.axes)
        plt.close(fig)


def test_init_weights_ignores_other_modules_and_missing_biases():
    layer, relu = nn.Linear(4, 3, bias=False), nn.ReLU()
    init.init_weights(relu)                                      # nothing to do, no error
    init.init_weights(layer)
    assert layer.bias is None and layer.weight.shape == (3, 4)


def test_check_mode_agrees_with_torch(run_main, capsys):
    out = run_main(MODULE, "--check")
    diffs = [float(x) for x in re.findall(r"\s(\d\.\de[+-]\d\d)$", out, re.M)]
    assert len(diffs) == 11 and max(diffs) < 1e-12
    ratios = [float(x) for x in re.findall(r"\s(\d\.\d{4,5})(?=\s|$)", out.split("10^6 draws")[1])]
    assert len(ratios) == 12 and all(abs(r - 1) < 0.01 for r in ratios)


def test_demo_and_other_modes_run(run_main, capsys):
    out = run_main(MODULE)
    assert "relu  he" in out and "tanh  small" in out
    assert "random" in run_main(MODULE, "--symmetry")
    for k in ("2", "3", "4"):
        assert run_main(MODULE, "--exercise", k).strip()
