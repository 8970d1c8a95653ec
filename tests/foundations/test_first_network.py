"""Tests for code/foundations/first_network.py (page: docs/foundations/first-network.md).

The data pipeline splits with the class mix kept and scales with training statistics only; the hand-written
forward and backward passes equal PyTorch and autograd in float64 (and finite differences); NumPy and
PyTorch, from the same weights and batches, end with the same parameters; both networks reach 95 % test
accuracy with the page's seeds; bad input raises a clear error; the pitfalls and exercises show what the
page says they show.
"""
import re

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

import first_network as fn

TOL = 1e-12


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One thread for these tiny matrices (much faster on a busy machine); restored for other tests."""
    with fn.one_thread():
        yield


@pytest.fixture(scope="module")
def raw():
    return fn.load_split()


@pytest.fixture(scope="module")
def data():
    return fn.prepare_data()[0]


@pytest.fixture(scope="module")
def numpy_run(data):
    return fn.train_numpy(data)


@pytest.fixture(scope="module")
def torch_run(data):
    return fn.train_torch(data)


def random_params(rng, sizes=fn.SIZES):
    """Random weights AND biases (He init has zero biases, which would hide a bias bug)."""
    params = fn.init_params(rng, sizes)
    return {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}


def torch_grads(model):
    return {"W1": model[0].weight.grad, "b1": model[0].bias.grad,    # named, not by parameter order:
            "W2": model[2].weight.grad, "b2": model[2].bias.grad}    # an independent check of to_torch


# ---------------------------------------------------------------- data: split and scaling

def test_split_is_stratified_and_keeps_every_image(raw):
    X_train, X_test, y_train, y_test = raw
    X_all, y_all = load_digits(return_X_y=True)
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    for c in range(10):                                    # each digit's share kept: 25 % of it in test
        assert abs((y_test == c).sum() - 0.25 * (y_all == c).sum()) <= 1
    together = np.vstack([X_train, X_test])                # no image lost, none duplicated
    assert np.array_equal(np.unique(together, axis=0, return_counts=True)[1],
                          np.unique(X_all, axis=0, return_counts=True)[1])


def test_scaler_statistics_come_from_the_training_set_only(raw):
    X_train, X_test, _, _ = raw
    (S_train, S_test, _, _), (mu, sigma) = fn.prepare_data()
    assert np.allclose(mu, X_train.mean(axis=0), atol=TOL)
    X_all = load_digits().data
    assert np.abs(mu - X_all.mean(axis=0)).max() > 0.05    # a leaky scaler (fit on all images) fails here
    scaler = StandardScaler().fit(X_train)                 # the reference: fit on train, apply to both
    assert np.abs(S_train - scaler.transform(X_train)).max() < TOL
    assert np.abs(S_test - scaler.transform(X_test)).max() < TOL
    varying = X_train.std(axis=0) > 0
    assert np.abs(S_train[:, varying].mean(axis=0)).max() < 1e-12
    assert np.abs(S_train[:, varying].std(axis=0) - 1).max() < 1e-12
    assert np.abs(S_test.mean(axis=0)).max() > 0.01        # the test set is NOT exactly centred


def test_constant_pixels_do_not_divide_by_zero(raw):
    X_train = raw[0]
    mu, sigma = fn.fit_scaler(X_train)
    constant = X_train.std(axis=0) == 0
    assert constant.sum() >= 1                             # the digits have always-blank corner pixels
    assert np.all(sigma[constant] == 1.0)
    assert np.isfinite(fn.standardize(raw[1], mu, sigma)).all()


# ---------------------------------------------------------------- forward and backward vs PyTorch

def test_forward_and_loss_equal_torch(data):
    rng = np.random.default_rng(3)
    params, idx = random_params(rng), rng.choice(len(data[0]), size=7, replace=False)
    X, y = data[0][idx], data[2][idx]
    model = fn.to_torch(params)
    Z2_torch = model(torch.from_numpy(X))
    assert np.abs(fn.forward(params, X)[2] - Z2_torch.detach().numpy()).max() < TOL
    J_torch = torch.nn.CrossEntropyLoss()(Z2_torch, torch.from_numpy(y)).item()
    assert abs(fn.cross_entropy(fn.forward(params, X)[2], y) - J_torch) < TOL


def test_hand_backward_equals_autograd_on_a_tiny_batch(data):
    rng = np.random.default_rng(4)
    params, idx = random_params(rng), rng.choice(len(data[0]), size=5, replace=False)
    X, y = data[0][idx], data[2][idx]
    model = fn.to_torch(params)
    torch.nn.CrossEntropyLoss()(model(torch.from_numpy(X)), torch.from_numpy(y)).backward()
    J, grads = fn.loss_and_grads(params, X, y)
    for k, g in torch_grads(model).items():
        assert grads[k].shape == params[k].shape
        assert np.abs(g.numpy()).max() > 1e-4                # a real gradient, not a vacuous match
        assert np.abs(grads[k] - g.numpy()).max() < TOL, k


def test_hand_backward_equals_finite_differences():
    rng = np.random.default_rng(5)
    sizes = (5, 4, 3)                                         # small enough to perturb every parameter
    params = random_params(rng, sizes)
    X, y = rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
    _, grads = fn.loss_and_grads(params, X, y)
    for k, theta in params.items():
        for i in np.ndindex(theta.shape):
            old = theta[i]
            theta[i] = old + 1e-6
            J_plus = fn.loss_and_grads(params, X, y)[0]
            theta[i] = old - 1e-6
            J_minus = fn.loss_and_grads(params, X, y)[0]
            theta[i] = old
            assert abs(grads[k][i] - (J_plus - J_minus) / 2e-6) < 1e-8, (k, i)


def test_extreme_logits_give_finite_exact_loss_and_gradient():
    Z2 = np.array([[1e4, -1e4, 0.0], [1e4, -1e4, 0.0]])       # right with margin 1e4, wrong by 2e4
    y = np.array([0, 1])
    assert fn.cross_entropy(Z2, y) == pytest.approx(1e4, rel=1e-12)   # (0 + 2e4) / 2
    assert np.isfinite(fn.log_softmax(Z2)).all()
    params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    _, grads = fn.loss_and_grads(params, np.array([[1e4, 0.0, 0.0]]), np.array([1]))
    assert all(np.isfinite(g).all() for g in grads.values())


# ---------------------------------------------------------------- the same network, two implementations

@pytest.mark.parametrize("steps", [3, None])                  # a few steps, and a whole epoch (43 steps)
def test_numpy_and_torch_end_with_the_same_parameters(data, steps):
    taken, gaps = fn.same_network(data, steps=steps)
    assert taken == (steps or 43) and set(gaps) == {"W1", "b1", "W2", "b2"}
    assert max(gaps.values()) < 1e-10


def test_same_network_steps_really_move_the_parameters(data):
    # without this, equal parameters could just mean that nothing was updated
    rng = np.random.default_rng(fn.SEED)
    params = fn.init_params(rng)
    start = {k: v.copy() for k, v in params.items()}
    for idx in fn.minibatches(len(data[0]), fn.BATCH_SIZE, rng)[:3]:
        fn.sgd_step(params, data[0][idx], data[2][idx], fn.LR)
    assert all(np.abs(params[k] - start[k]).max() > 1e-3 for k in params)


def test_to_torch_copies_the_weights_without_transposing():
    params = random_params(np.random.default_rng(6))
    model = fn.to_torch(params)
    assert model[0].weight.dtype == torch.float64
    assert np.array_equal(model[0].weight.detach().numpy(), params["W1"])
    assert np.array_equal(model[2].bias.detach().numpy(), params["b2"])
    params["W1"][0, 0] += 1.0                                 # a copy, not shared memory
    assert model[0].weight[0, 0].item() != params["W1"][0, 0]


# ---------------------------------------------------------------- training reaches the stated accuracy

def test_numpy_network_reaches_95_percent(data, numpy_run):
    params, history = numpy_run
    assert history.shape == (fn.EPOCHS + 1, 4)
    assert history[0, 3] < 0.3 and history[1, 3] > 0.5        # near chance before, far above after 1 epoch
    assert history[-1, 3] >= 0.95
    assert history[-1, 1] > history[-1, 3]                    # training accuracy ends above test accuracy
    assert np.mean(fn.predict(params, data[1]) == data[3]) == history[-1, 3]
    assert history[-1, 0] < history[0, 0] / 10                # the training cost fell


def test_torch_network_reaches_95_percent(torch_run):
    model, history = torch_run
    assert history.shape == (fn.EPOCHS + 1, 4)
    assert history[0, 3] < 0.3 and history[1, 3] > 0.5 and history[-1, 3] >= 0.95
    assert history[-1, 1] > history[-1, 3]
    assert model.training                                     # evaluate_torch put train mode back


def test_training_is_reproducible(data):
    h1 = fn.train_numpy(data, epochs=1)[1]
    h2 = fn.train_numpy(data, epochs=1)[1]
    assert np.array_equal(h1, h2)
    assert not np.array_equal(h1, fn.train_numpy(data, epochs=1, seed=1)[1])


def test_he_initialization_in_both():
    params = fn.init_params(np.random.default_rng(0))
    model = fn.make_model()
    for W, b in ((params["W1"], params["b1"]), (model[0].weight.detach(), model[0].bias.detach())):
        assert float(W.std()) == pytest.approx(np.sqrt(2 / 64), rel=0.05) and not b.any()


def test_evaluate_torch_runs_in_eval_mode_without_a_graph(data):
    model, seen = fn.make_model(), []
    model.register_forward_hook(lambda module, inputs, output: seen.append(
        (torch.is_grad_enabled(), module.training, output.requires_grad)))
    X, y = torch.as_tensor(data[1], dtype=torch.float32), torch.as_tensor(data[3])
    J, acc = fn.evaluate_torch(model, X, y)
    assert seen == [(False, False, False)]                    # no_grad and eval mode during the forward pass
    assert model.training and 0 <= acc <= 1 and J > 0         # train mode restored afterwards


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("X, y, error, match", [
    (np.zeros((4, 8, 8)), None, ValueError, r"shape \(N, 64\).*reshape"),
    (np.zeros((4, 63)), None, ValueError, r"shape \(N, 64\)"),
    (np.zeros((0, 64)), None, ValueError, r"N >= 1"),
    (np.array([["a"] * 64]), None, TypeError, r"pixel values"),
    (np.full((2, 64), np.nan), None, ValueError, r"finite"),
    (np.zeros((3, 64)), np.array([0, 10, 2]), ValueError, r"\[0, C\) = \[0, 10\), got 10"),
    (np.zeros((3, 64)), np.array([0, -1, 2]), ValueError, r"\[0, 10\), got -1"),
    (np.zeros((3, 64)), np.array([0.0, 1.0, 2.0]), TypeError, r"integer class indices"),
    (np.zeros((3, 64)), np.array([0, 1]), ValueError, r"shape \(N,\) = \(3,\)"),
    (np.zeros((3, 64)), np.array([[0], [1], [2]]), ValueError, r"shape \(N,\)"),
])
def test_bad_input_raises_a_clear_error(X, y, error, match):
    with pytest.raises(error, match=match):
        fn.check_data(X, y)
    params = fn.init_params(np.random.default_rng(0))
    with pytest.raises(error, match=match):                   # the public entry points check too
        if y is None:
            fn.predict(params, X)
        else:
            fn.loss_and_grads(params, X, y)


def test_training_entry_points_check_their_data(data):
    bad = (data[0], data[1], data[2] + 1, data[3])            # labels 1..10: 10 is out of range
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        fn.train_numpy(bad, epochs=1)
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        fn.train_torch(bad, epochs=1)


# ---------------------------------------------------------------- pitfalls show their symptoms

def test_unscaled_pixels_train_erratically(raw):
    history = fn.train_numpy(raw)[1]                          # raw pixels 0..16, eta of standardized ones
    assert history[1:6, 3].max() > 0.7                        # it learns at first ...
    assert history[-1, 3] < 0.9                               # ... but ends far below the standardized run
    assert history[1:, 3].max() - history[-1, 3] > 0.1        # it got better, then worse again


def test_learning_rate_too_small_and_too_large():
    data = fn.prepare_data()[0]
    small = fn.train_numpy(data, lr=0.001)[1]
    with np.errstate(over="ignore", invalid="ignore"):
        large = fn.train_numpy(data, lr=10.0)[1]
    assert small[-1, 3] < 0.9 and small[-1, 0] < small[-2, 0]  # still learning when the epochs run out
    assert large[1, 0] > 1e10 and np.isnan(large[-1, 0])        # the cost explodes, then is NaN
    assert large[-1, 3] <= 0.15                                 # no better than one class


def test_forgetting_zero_grad_hurts(data):
    history = fn.train_torch(data, epochs=5, step=fn.step_without_zero_grad)[1]
    good = fn.train_torch(data, epochs=5)[1]
    assert history[-1, 0] > 100 * history[1, 0]               # the cost explodes, epoch after epoch ...
    assert good[-1, 0] < good[1, 0]                           # ... where the correct loop's falls
    assert history[-1, 3] < 0.95 < good[-1, 3]


def test_without_zero_grad_grad_holds_the_sum_of_all_batch_gradients(data):
    model = fn.to_torch(fn.init_params(np.random.default_rng(0)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)   # lr 0: the weights stay, .grad piles up
    X, y = torch.from_numpy(data[0]), torch.from_numpy(data[2])
    batches = [slice(0, 32), slice(32, 64), slice(64, 96)]
    for b in batches:
        fn.step_without_zero_grad(model, torch.nn.CrossEntropyLoss(), optimizer, X[b], y[b])
    total = sum(fn.loss_and_grads(fn.init_params(np.random.default_rng(0)), data[0][b], data[2][b])[1]["W2"]
                for b in batches)
    assert np.abs(model[2].weight.grad.numpy() - total).max() < TOL


def test_pitfall_error_messages():
    images = load_digits().images                             # (1797, 8, 8)
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        fn.make_model()(torch.as_tensor(images, dtype=torch.float32))
    with pytest.raises(RuntimeError, match=r"same dtype.*Double and Float"):
        fn.make_model()(torch.from_numpy(images.reshape(-1, 64)))
    with pytest.raises(ValueError, match=r"\(N, 64\).*\(1797, 8, 8\)"):
        fn.check_data(images)


# ---------------------------------------------------------------- exercises

def test_exercise_minibatch_gradients_average_to_the_full_gradient(data):
    params = fn.init_params(np.random.default_rng(0))
    plain, weighted = fn.minibatch_mean_gap(params, data[0], data[2], 32)    # 1347 = 42 * 32 + 3
    assert weighted < 1e-12 and plain > 1e-3                  # a short last batch breaks the plain mean
    plain, weighted = fn.minibatch_mean_gap(params, data[0], data[2], 449)   # 1347 = 3 * 449
    assert plain < 1e-12 and weighted < 1e-12


def test_exercise_output_bias_sum_never_changes(data):
    before, after, change = fn.output_bias_sum(data)
    assert abs(after - before) < 1e-12 and change > 1e-2
    rng = np.random.default_rng(1)
    _, grads = fn.loss_and_grads(random_params(rng), data[0][:9], data[2][:9])
    assert abs(grads["b2"].sum()) < 1e-15                     # each row of P - T sums to 0


def test_exercise_zero_initialization_learns_only_the_output_bias(data):
    params, history = fn.zero_init(data, epochs=3)            # the page runs 20; the zeros stay at any
    assert not params["W1"].any() and not params["b1"].any() and not params["W2"].any()
    assert params["b2"].any()
    assert len(np.unique(fn.predict(params, data[1]))) == 1   # one class for every image
    assert history[-1, 3] < 0.15


def test_exercise_divide_by_16_trains_more_slowly(numpy_run):
    history = fn.divide_by_16()
    assert history[-1, 3] > 0.85                              # it does learn ...
    assert history[-1, 0] > 3 * numpy_run[1][-1, 0]           # ... but its training cost is far higher
    assert history[-1, 3] < numpy_run[1][-1, 3]               # and its test accuracy lower


# ---------------------------------------------------------------- the page's --check output

def test_check_prints_only_tiny_differences(capsys):
    fn.check()
    values = [float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()[1:]]
    assert len(values) == 10
    assert max(values) < 1e-10                                # float64 rounding, nothing more
