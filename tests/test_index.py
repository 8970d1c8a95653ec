"""The four steps on the home page: hand-derived backpropagation equals autograd and finite differences."""
import numpy as np
import pytest
import torch

import index

X, Y, LR = np.array([1.0, 2.0]), np.array([1.0]), 0.05


def loss_of(params, x=X, y=Y):
    return index.squared_error(index.forward(params, x)["y_hat"], y)


def torch_grads(params, x=X, y=Y):
    """The same network written with torch tensors; autograd gives the gradients."""
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    h = torch.relu(t["W1"] @ torch.from_numpy(x) + t["b1"])
    loss = ((t["W2"] @ h + t["b2"] - torch.from_numpy(y)) ** 2).sum()
    loss.backward()
    return loss.item(), {k: v.grad.numpy() for k, v in t.items()}


def test_forward_pass_has_the_numbers_on_the_page():
    cache = index.forward(index.make_params(), X)
    np.testing.assert_allclose(cache["z1"], [0.3, 1.2], atol=1e-12)
    np.testing.assert_allclose(cache["y_hat"], [-0.07], atol=1e-12)
    assert loss_of(index.make_params()) == pytest.approx(1.1449, abs=1e-12)


@pytest.mark.parametrize("x", [X, np.array([-1.0, 1.0]), np.array([0.3, -2.0])])
def test_backward_equals_autograd(x):
    params = index.make_params()
    grads = index.backward(params, index.forward(params, x), Y)
    loss, expected = torch_grads(params, x)
    assert loss_of(params, x) == pytest.approx(loss, abs=1e-12)
    for name in params:
        np.testing.assert_allclose(grads[name], expected[name], atol=1e-12, err_msg=name)


def test_backward_equals_finite_differences(finite_difference):
    params = index.make_params()
    grads = index.backward(params, index.forward(params, X), Y)
    for name in params:
        # finite_difference nudges params[name] in place, so loss_of(params) sees each nudge
        numeric = finite_difference(lambda _: loss_of(params), params[name])
        np.testing.assert_allclose(grads[name], numeric, atol=1e-8, err_msg=name)


def test_one_step_equals_pytorch_sgd():
    params = index.make_params()
    new, loss = index.train_step(params, X, Y, LR)
    model, torch_loss = index.torch_step(params, X, Y, LR)
    assert loss == pytest.approx(torch_loss, abs=1e-12)
    for name, tensor in [("W1", model[0].weight), ("b1", model[0].bias), ("W2", model[2].weight),
                         ("b2", model[2].bias)]:
        np.testing.assert_allclose(new[name], tensor.detach().numpy(), atol=1e-12, err_msg=name)


def test_a_small_step_lowers_the_loss_and_repeating_it_fits_the_example():
    params, losses = index.fit(index.make_params(), X, Y, LR, steps=20)
    assert losses[1] < losses[0]
    assert all(b <= a for a, b in zip(losses, losses[1:]))
    assert loss_of(params) < 1e-12


def test_update_moves_against_the_gradient():
    params = index.make_params()
    grads = {k: np.ones_like(v) for k, v in params.items()}
    new = index.update(params, grads, 0.1)
    for name in params:
        np.testing.assert_allclose(new[name], params[name] - 0.1)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"x must have shape \(2,\)"):
        index.forward(index.make_params(), np.ones(3))
    with pytest.raises(ValueError, match="learning rate must be positive"):
        index.update(index.make_params(), index.make_params(), 0.0)


def test_exercise_dead_neuron_gets_no_gradient():
    cache, grads = index.exercise_dead_neuron()
    assert cache["h"][0] == 0.0 and cache["h"][1] > 0
    assert np.all(grads["W1"][0] == 0.0) and grads["b1"][0] == 0.0
    assert np.all(grads["W1"][1] != 0.0)


def test_exercise_step_size_too_large_makes_it_worse():
    after = index.exercise_step_size()
    before = loss_of(index.make_params())
    assert after[0.01] < before and after[0.05] < after[0.01]
    assert after[0.2] > before and after[0.6] > after[0.2]


def test_figure_shows_too_small_right_and_too_large():
    lines = index.plot_loss_curve().axes[0].lines
    small, right, large = (line.get_ydata() for line in lines)
    assert right[-1] < 1e-12 < small[-1] < small[0]          # both fall; the small rate far more slowly
    assert large[-1] > 1e6 * large[0]                        # the large rate diverges
