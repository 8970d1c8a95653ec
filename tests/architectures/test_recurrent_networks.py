"""Tests for code/architectures/recurrent_networks.py (page: docs/architectures/recurrent-networks.md).

The from-scratch RNN, LSTM and GRU equal nn.RNN, nn.LSTM and nn.GRU in float64 (outputs, h_n, c_n, and the
gradients for the input, the initial states and every weight), with weights copied in, multi-step sequences,
a batch of several examples and nonzero initial states. The hand-derived BPTT also equals central finite
differences, and its intermediate results (dL/dh_t, the one-step Jacobian, the sum over steps) hold. The
vanishing-gradient bound holds, and the LSTM's cell-state path keeps the gradient the RNN loses. The character
language model beats the unigram baseline by a stated margin; the pitfalls show their symptoms; bad input is a
clear error; extreme inputs stay finite; the exercise solutions hold.
"""
import math
import re

import numpy as np
import pytest
import torch
from torch import nn

import recurrent_networks as rn

TOL = 1e-12                      # float64 agreement with PyTorch
FD_TOL = 1e-7                    # central differences with h = 1e-6 on O(1) numbers
GATES = {"rnn": (1, nn.RNN, rn.rnn_forward), "lstm": (4, nn.LSTM, rn.lstm_forward), "gru": (3, nn.GRU, rn.gru_forward)}


def maxdiff(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


@pytest.fixture
def rng():
    return np.random.default_rng(22)


def problem(kind, rng, T=6, N=3, D=4, H=5):
    """X, the nonzero initial states, PyTorch-initialized weights, and random upstream gradients."""
    G = GATES[kind][0]
    states = [rng.normal(size=(N, H)) for _ in range(2 if kind == "lstm" else 1)]
    weights = rn.init_weights(G, D, H, rng)
    upstream = [rng.normal(size=(T, N, H))] + [rng.normal(size=(N, H)) for _ in states]
    return rng.normal(size=(T, N, D)), states, weights, upstream


def torch_module_run(kind, X, states, weights, upstream):
    """nn.RNN/LSTM/GRU with the weights copied in: outputs and gradients of J = sum(upstream * outputs) for
    X, the states and weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (written here independently)."""
    G, Module, _ = GATES[kind]
    m = Module(X.shape[2], states[0].shape[1]).double()
    params = [m.weight_ih_l0, m.weight_hh_l0, m.bias_ih_l0, m.bias_hh_l0]
    with torch.no_grad():
        for p, w in zip(params, weights):
            assert p.shape == w.shape                              # the layout we assume is PyTorch's
            p.copy_(torch.from_numpy(w))
    Xt = torch.tensor(X, requires_grad=True)
    st = [torch.tensor(s, requires_grad=True) for s in states]
    if kind == "lstm":
        Y, (h_n, c_n) = m(Xt, (st[0][None], st[1][None]))
        outs = [Y, h_n[0], c_n[0]]
    else:
        Y, h_n = m(Xt, st[0][None])
        outs = [Y, h_n[0]]
    sum((o * torch.from_numpy(u)).sum() for o, u in zip(outs, upstream)).backward()
    return [o.detach().numpy() for o in outs], [t.grad.numpy() for t in [Xt, *st, *params]]


def ours_autograd(kind, X, states, weights, upstream, **kw):
    """Our equations on float64 tensors, differentiated by autograd."""
    ts = [torch.tensor(a, requires_grad=True) for a in [X, *states, *weights]]
    outs = GATES[kind][2](*ts, xp=torch, **kw)
    sum((o * torch.from_numpy(u)).sum() for o, u in zip(outs, upstream)).backward()
    return [o.detach().numpy() for o in outs], [t.grad.numpy() for t in ts]


# ---------------------------------------------------------------- the vanilla RNN and hand-derived BPTT

def test_rnn_forward_equals_nn_rnn(rng):
    X, (h0,), weights, upstream = problem("rnn", rng)
    Y, h_T = rn.rnn_forward(X, h0, *weights)
    (Y_t, h_t), _ = torch_module_run("rnn", X, [h0], weights, upstream)
    assert Y.shape == (6, 3, 5) and h_T.shape == (3, 5)
    assert maxdiff(Y, Y_t) < TOL and maxdiff(h_T, h_t) < TOL
    assert np.array_equal(Y[-1], h_T)                              # one layer, one direction: output[-1] is h_n


def test_bptt_equals_autograd_of_nn_rnn(rng):
    X, (h0,), weights, upstream = problem("rnn", rng)
    Y, _ = rn.rnn_forward(X, h0, *weights)
    grads, _ = rn.rnn_backward(*upstream, X, h0, Y, weights[0], weights[1])
    _, theirs = torch_module_run("rnn", X, [h0], weights, upstream)
    for name, ours, t in zip(["dX", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"], grads, theirs):
        assert ours.shape == t.shape and maxdiff(ours, t) < TOL, name


def test_bptt_equals_finite_differences(rng, finite_difference):
    X, (h0,), weights, (dY, dh) = problem("rnn", rng, T=3, N=2, D=2, H=3)
    W_ih, W_hh, b_ih, b_hh = weights

    def J(*_):
        Y, h_T = rn.rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh)
        return np.sum(dY * Y) + np.sum(dh * h_T)                   # dJ/dY = dY, dJ/dh_T = dh

    Y, _ = rn.rnn_forward(X, h0, *weights)
    grads, _ = rn.rnn_backward(dY, dh, X, h0, Y, W_ih, W_hh)
    for ours, wrt in zip(grads, [X, h0, W_ih, W_hh, b_ih, b_hh]):
        assert maxdiff(ours, finite_difference(J, wrt)) < FD_TOL


def test_bptt_deltas_are_dL_dh_t(rng):
    # delta[t] is the TOTAL derivative dL/dh_t: through the loss at step t and through every later step
    X, (h0,), weights, (dY, dh) = problem("rnn", rng)
    Y, _ = rn.rnn_forward(X, h0, *weights)
    _, delta = rn.rnn_backward(dY, dh, X, h0, Y, *weights[:2])
    W_ih, W_hh, b_ih, b_hh = [torch.tensor(w) for w in weights]
    h, hs = torch.tensor(h0, requires_grad=True), []
    for x_t in torch.tensor(X):
        h = torch.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        h.retain_grad()
        hs.append(h)
    (sum((h * torch.from_numpy(g)).sum() for h, g in zip(hs, dY)) + (h * torch.from_numpy(dh)).sum()).backward()
    assert maxdiff(delta, np.stack([h.grad.numpy() for h in hs])) < TOL


def test_shared_weight_gradient_is_the_sum_over_steps(rng):
    # untie W_hh into T separate copies, one per step: the tied gradient is the sum of theirs, eq. (7)
    X, (h0,), weights, (dY, dh) = problem("rnn", rng)
    Y, _ = rn.rnn_forward(X, h0, *weights)
    grads, _ = rn.rnn_backward(dY, dh, X, h0, Y, *weights[:2])
    W_ih, _, b_ih, b_hh = [torch.tensor(w) for w in weights]
    copies = [torch.tensor(weights[1], requires_grad=True) for _ in X]
    h, outs = torch.tensor(h0), []
    for x_t, W_hh in zip(torch.tensor(X), copies):
        h = torch.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        outs.append(h)
    (torch.sum(torch.stack(outs) * torch.from_numpy(dY)) + torch.sum(h * torch.from_numpy(dh))).backward()
    per_step = [c.grad.numpy() for c in copies]
    assert maxdiff(grads[3], sum(per_step)) < TOL
    assert min(np.abs(g).max() for g in per_step) > 1e-6          # every step contributes


def test_one_step_jacobian_is_diag_tanh_prime_times_W_hh(rng):
    X, (h0,), (W_ih, W_hh, b_ih, b_hh), _ = problem("rnn", rng, N=1)
    step = lambda h: torch.tanh(torch.tensor(X[0, 0] @ W_ih.T + b_ih + b_hh) + torch.tensor(W_hh) @ h)  # noqa: E731
    J = torch.autograd.functional.jacobian(step, torch.tensor(h0[0])).numpy()
    h1 = rn.rnn_forward(X[:1], h0, W_ih, W_hh, b_ih, b_hh)[1][0]
    assert maxdiff(J, np.diag(1 - h1 ** 2) @ W_hh) < TOL          # eq. (5)


# ---------------------------------------------------------------- the vanishing gradient

@pytest.mark.parametrize("sigma", [0.5, 0.9])
def test_rnn_gradient_decays_at_least_at_the_derived_rate(rng, sigma):
    T, N, D, H = 40, 4, 3, 16
    X, h0, w = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    W_ih, W_hh, b_ih, b_hh = rn.init_weights(1, D, H, rng)
    W_hh = sigma * W_hh / np.linalg.norm(W_hh, 2)                   # sigma_max(W_hh) = sigma
    Y, _ = rn.rnn_forward(X, h0, W_ih, W_hh, b_ih, b_hh)
    _, delta = rn.rnn_backward(np.zeros_like(Y), w, X, h0, Y, W_ih, W_hh)
    gamma = (1 - Y ** 2).max(axis=2)                               # (T, N): max tanh' per step and example
    for n in range(N):                                             # eq. (9), example by example
        norms = np.linalg.norm(delta[:, n], axis=1)                # ||dL/dh_t||, t = 1..T
        for k in range(1, T):
            t = T - 1 - k
            assert norms[t] <= sigma ** k * norms[-1] * (1 + 1e-12)
            assert norms[t] <= np.prod(gamma[t + 1:, n]) * sigma ** k * norms[-1] * (1 + 1e-12)
    ratio = rn.rnn_gradient_in_time(X, h0, W_ih, W_hh, b_ih, b_hh, w)
    assert np.all(ratio[1:] <= sigma ** np.arange(1, T) * (1 + 1e-12))


def test_lstm_with_a_high_forget_bias_keeps_the_gradient_the_rnn_loses(rng):
    T, N, D, H, k = 50, 4, 3, 16, 40
    X, w, zeros = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), np.zeros((N, H))
    W_ih, W_hh, b_ih, b_hh = rn.init_weights(1, D, H, rng)
    W_hh = 0.9 * W_hh / np.linalg.norm(W_hh, 2)
    rnn_ratio = rn.rnn_gradient_in_time(X, zeros, W_ih, W_hh, b_ih, b_hh, w)[k]
    lstm_w = rn.init_weights(4, D, H, rng)
    lstm_w[2][H:2 * H] += 5.0                                      # forget bias +5: f close to 1
    lstm_ratio = rn.lstm_gradient_in_time(X, zeros, zeros, *lstm_w, w)[k]
    assert rnn_ratio <= 0.9 ** k and lstm_ratio > 1e-2 and lstm_ratio > 1e6 * rnn_ratio
    lstm_w[2][H:2 * H] -= 5.0                                      # forget bias ~0 (PyTorch's default): lost too
    assert rn.lstm_gradient_in_time(X, zeros, zeros, *lstm_w, w)[k] < 1e-3 * lstm_ratio


def test_lstm_gradient_in_time_equals_finite_differences_through_h(rng):
    T, N, D, H = 4, 2, 3, 3
    X, h0, c0, w = (rng.normal(size=s) for s in [(T, N, D), (N, H), (N, H), (N, H)])
    weights = rn.init_weights(4, D, H, rng)
    ratio = rn.lstm_gradient_in_time(X, h0, c0, *weights, w)
    # dL/dh_0 (k = T) is not returned; dL/dh_1 is: perturb h_1 by running from step 2 with h_1 + eps
    h1, c1 = rn.lstm_cell(X[0], h0, c0, *weights)
    J = lambda h: float(np.sum(w * rn.lstm_forward(X[1:], h, c1, *weights)[1]))   # noqa: E731
    eps, g = 1e-6, np.zeros_like(h1)
    for i in np.ndindex(h1.shape):
        e = np.zeros_like(h1)
        e[i] = eps
        g[i] = (J(h1 + e) - J(h1 - e)) / (2 * eps)
    assert abs(ratio[T - 1] - np.linalg.norm(g) / np.linalg.norm(w)) < 1e-7


@pytest.mark.slow
def test_the_figure_draws_six_curves():
    fig = rn.plot_vanishing(T=12)
    assert len(fig.axes[0].get_lines()) == 6


# ---------------------------------------------------------------- LSTM and GRU against nn.LSTM and nn.GRU

@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("T, N", [(6, 3), (1, 1), (9, 2)])
def test_gated_cells_equal_torch_values_and_gradients(rng, kind, T, N):
    X, states, weights, upstream = problem(kind, rng, T=T, N=N)
    ours = GATES[kind][2](X, *states, *weights)                    # NumPy forward
    outs, grads = ours_autograd(kind, X, states, weights, upstream)
    theirs, theirs_g = torch_module_run(kind, X, states, weights, upstream)
    names = ["Y", "h_n", "c_n"][:len(theirs)]
    for name, a, b, c in zip(names, ours, outs, theirs):
        assert a.shape == c.shape and maxdiff(a, c) < TOL and maxdiff(b, c) < TOL, name
    assert len(grads) == len(theirs_g) == 1 + len(states) + 4     # X, states, and every weight
    for a, b in zip(grads, theirs_g):
        assert a.shape == b.shape and maxdiff(a, b) < TOL


@pytest.mark.parametrize("kind, Cell", [("rnn", nn.RNNCell), ("lstm", nn.LSTMCell), ("gru", nn.GRUCell)])
def test_one_step_equals_the_cell_modules(rng, kind, Cell):
    X, states, weights, _ = problem(kind, rng, T=1)
    cell = Cell(4, 5).double()
    with torch.no_grad():
        for p, w in zip([cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh], weights):
            p.copy_(torch.from_numpy(w))
    hx = [torch.from_numpy(s) for s in states]
    theirs = cell(torch.from_numpy(X[0]), tuple(hx) if kind == "lstm" else hx[0])
    theirs = [t.detach().numpy() for t in (theirs if kind == "lstm" else (theirs,))]
    ours = GATES[kind][2](X, *states, *weights)[1:]
    assert all(maxdiff(a, b) < TOL for a, b in zip(ours, theirs))


def test_batch_first_module_equals_ours_on_the_transposed_input(rng):
    X, (h0,), weights, _ = problem("gru", rng)
    gru = nn.GRU(4, 5, batch_first=True).double()
    with torch.no_grad():
        for p, w in zip([gru.weight_ih_l0, gru.weight_hh_l0, gru.bias_ih_l0, gru.bias_hh_l0], weights):
            p.copy_(torch.from_numpy(w))
    Y_t, _ = gru(torch.from_numpy(X.transpose(1, 0, 2)), torch.from_numpy(h0)[None])   # (N, T, D) in
    assert maxdiff(rn.gru_forward(X, h0, *weights)[0].transpose(1, 0, 2), Y_t.detach().numpy()) < TOL


@pytest.mark.parametrize("kind, order", [("lstm", [1, 0, 2, 3]), ("lstm", [0, 1, 3, 2]), ("gru", [1, 0, 2])])
def test_the_gate_order_matters(rng, kind, order):
    # the equality tests above could not pass with the gates in another order
    X, states, weights, _ = problem(kind, rng)
    G, H = len(order), 5
    perm = np.concatenate([np.arange(g * H, (g + 1) * H) for g in order])
    permuted = [w[perm] for w in weights]
    assert maxdiff(GATES[kind][2](X, *states, *weights)[0], GATES[kind][2](X, *states, *permuted)[0]) > 1e-3


def test_cell_state_jacobian_is_diag_forget_gate(rng):
    # eq. (12): holding h_{t-1} fixed, dc_t/dc_{t-1} = diag(f_t); no W_hh, no tanh' on this path
    X, (h0, c0), weights, _ = problem("lstm", rng, N=1)
    as_t = [torch.tensor(w) for w in weights]
    x, h = torch.tensor(X[0]), torch.tensor(h0)
    J = torch.autograd.functional.jacobian(lambda c: rn.lstm_cell(x, h, c, *as_t, xp=torch)[1], torch.tensor(c0))
    f = rn.sigmoid(X[0] @ weights[0][5:10].T + weights[2][5:10] + h0 @ weights[1][5:10].T + weights[3][5:10])
    assert maxdiff(J.numpy()[0, :, 0, :], np.diag(f[0])) < TOL


# ---------------------------------------------------------------- bad input, extreme input

@pytest.mark.parametrize("forward", [rn.rnn_forward, rn.gru_forward])
def test_wrong_shapes_name_the_expected_shape(rng, forward):
    G = 1 if forward is rn.rnn_forward else 3
    X, h0, w = rng.normal(size=(5, 2, 3)), np.zeros((2, 4)), rn.init_weights(G, 3, 4, rng)
    with pytest.raises(ValueError, match=r"X must have shape \(T, N, D\)"):
        forward(X[0], h0, *w)                                      # a (N, D) batch with no time axis
    with pytest.raises(ValueError, match=r"h0 shape \(N, H\)"):
        forward(X, np.zeros((3, 4)), *w)                           # batch of 3 states for 2 examples
    with pytest.raises(ValueError, match=rf"W_ih must have shape \({G * 4}, 3\) \(G = {G} gate blocks"):
        forward(X, h0, rng.normal(size=(4 * 4, 3)), *w[1:])        # LSTM-sized weights
    with pytest.raises(ValueError, match=r"W_hh must have shape"):
        forward(X, h0, w[0], w[1][:, :3], *w[2:])                   # (G*H, H - 1)


def test_lstm_checks_c0_and_dtypes(rng):
    X, h0, w = rng.normal(size=(5, 2, 3)), np.zeros((2, 4)), rn.init_weights(4, 3, 4, rng)
    with pytest.raises(ValueError, match=r"c0 must have h0's shape \(N, H\) = \(2, 4\)"):
        rn.lstm_forward(X, h0, np.zeros((2, 5)), *w)
    with pytest.raises(TypeError, match="floating-point"):
        rn.lstm_forward(X.astype(np.int64), h0, h0, *w)
    with pytest.raises(TypeError, match="floating-point"):
        rn.rnn_forward(X.tolist(), h0, *rn.init_weights(1, 3, 4, rng))
    with pytest.raises(TypeError, match="floating-point"):
        rn.gru_forward(torch.ones(5, 2, 3, dtype=torch.int64), h0, *rn.init_weights(3, 3, 4, rng), xp=torch)


def test_sigmoid_is_exact_and_stable():
    z = np.linspace(-30, 30, 601)
    assert maxdiff(rn.sigmoid(z), 1 / (1 + np.exp(-z))) < 1e-15
    assert maxdiff(rn.sigmoid(torch.tensor(z), xp=torch).numpy(), torch.sigmoid(torch.tensor(z)).numpy()) < 1e-15
    with np.errstate(all="raise"):                                  # no overflow warning at +-1e4
        assert rn.sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_extreme_inputs_are_finite_and_equal_torch(rng, kind):
    X, states, weights, upstream = problem(kind, rng)
    X = 1e4 * np.sign(X)                                           # every gate saturated
    with np.errstate(all="raise"):
        ours = GATES[kind][2](X, *states, *weights)
    theirs, theirs_g = torch_module_run(kind, X, states, weights, upstream)
    assert all(np.all(np.isfinite(a)) and maxdiff(a, b) < TOL for a, b in zip(ours, theirs))
    if kind == "rnn":
        grads, _ = rn.rnn_backward(*upstream, X, states[0], ours[0], *weights[:2])
    else:
        _, grads = ours_autograd(kind, X, states, weights, upstream)
    assert all(np.all(np.isfinite(g)) and maxdiff(g, t) < 1e-9 for g, t in zip(grads, theirs_g))


# ---------------------------------------------------------------- the character-level language model

@pytest.fixture(scope="module")
def corpus():
    from pydoc_data.topics import topics
    return "".join(topics[k] for k in sorted(topics)), rn.encode_split()


def test_corpus_is_pydoc_topics_split_90_10(corpus):
    text, (train, val, chars) = corpus
    assert len(text) > 100_000
    assert len(train) == int(0.9 * len(text)) and len(train) + len(val) == len(text)
    assert chars == sorted(set(text))
    assert "".join(chars[i] for i in val[:200].tolist()) == text[len(train):len(train) + 200]


def test_baselines(corpus):
    _, (train, val, chars) = corpus
    V = len(chars)
    uniform, unigram = rn.baselines(train, val, V)
    counts = np.bincount(train.numpy(), minlength=V) + 1.0          # add-one, independently
    assert uniform == pytest.approx(math.log(V), abs=1e-15)
    assert unigram == pytest.approx(-np.mean(np.log(counts / counts.sum())[val[1:].numpy()]), abs=1e-12)
    assert unigram < uniform - 1                                    # frequencies alone already help a lot


def test_validation_loss_covers_the_whole_split_and_ignores_padding(corpus):
    _, (_, val, chars) = corpus
    V = len(chars)
    bias = torch.linspace(-2, 2, V)                                # a context-free model: fixed logits

    class Fixed(nn.Module):
        def forward(self, ids, h=None):
            return bias.expand(*ids.shape, V), h

    expected = float(-torch.log_softmax(bias, 0)[val[1:]].mean())   # every character but the first, once
    assert rn.validation_loss(Fixed(), val, V, streams=16) == pytest.approx(expected, abs=1e-5)
    assert rn.validation_loss(Fixed(), val, V, streams=7) == pytest.approx(expected, abs=1e-5)


@pytest.mark.slow
def test_a_short_seeded_run_beats_the_unigram_baseline():
    threads = torch.get_num_threads()
    model, chars, r = rn.train_char_lm(steps=40)
    uniform, unigram = r["baselines"]
    assert r["val_loss"] < unigram - 0.7                            # the margin the page states
    assert r["log"][0][1] == pytest.approx(uniform, abs=0.1)        # starts near the uniform guess
    assert r["log"][-1][1] < r["log"][0][1] - 1.5
    assert r["chars_seen"] == 40 * 32 * 32 and torch.get_num_threads() == threads


def test_sample_is_seeded_and_uses_the_vocabulary(corpus):
    _, (_, _, chars) = corpus
    torch.manual_seed(0)
    model = rn.CharGRU(len(chars))
    a, b = rn.sample(model, chars, "def ", n=30), rn.sample(model, chars, "def ", n=30)
    assert a == b and len(a) == 34 and a.startswith("def ") and set(a) <= set(chars)
    assert rn.sample(model, chars, "def ", n=30, seed=1) != a


def test_detaching_the_state_lets_truncated_bptt_run():
    rnn, h = nn.RNN(3, 4, batch_first=True), None
    for chunk in torch.randn(2, 10, 3).split(5, dim=1):
        out, h = rnn(chunk, h)
        h = h.detach()
        out.pow(2).mean().backward()                               # no error, unlike the pitfall


# ---------------------------------------------------------------- pitfalls and exercises

def test_pitfalls_show_their_symptoms():
    p = rn.pitfalls()
    assert p["leak"][False] > 1e-2 and p["leak"][True] == 0.0     # the wrong layout mixes examples
    assert "backward through the graph a second time" in p["no_detach"]
    assert np.allclose(p["exploding"], [1.5 ** 5, 1.5 ** 10, 1.5 ** 20], rtol=1e-6)
    assert p["h_n_vs_last"] > 1e-2 and p["h_n_vs_first"] == 0.0
    assert p["swap"] > 5e-2


@pytest.mark.parametrize("kind, G", [("rnn", 1), ("lstm", 4), ("gru", 3)])
@pytest.mark.parametrize("D, H", [(3, 5), (10, 7), (1, 1)])
def test_exercise_1_parameter_counts(kind, G, D, H):
    Module = GATES[kind][1]
    assert sum(p.numel() for p in Module(D, H).parameters()) == G * (H * D + H * H + 2 * H)


def test_exercise_2_reset_before_and_after(rng):
    X, (h0,), weights, _ = problem("gru", rng)
    after, _ = rn.gru_forward(X, h0, *weights)
    before, _ = rn.gru_forward(X, h0, *weights, reset_after=False)
    assert maxdiff(after, before) > 1e-3                           # two different cells
    W_ih, W_hh, b_ih, b_hh = weights                               # Cho's n, written independently:
    H, h = 5, h0
    for t, x in enumerate(X):
        r = 1 / (1 + np.exp(-(x @ W_ih[:H].T + b_ih[:H] + h @ W_hh[:H].T + b_hh[:H])))
        z = 1 / (1 + np.exp(-(x @ W_ih[H:2 * H].T + b_ih[H:2 * H] + h @ W_hh[H:2 * H].T + b_hh[H:2 * H])))
        n = np.tanh(x @ W_ih[2 * H:].T + b_ih[2 * H:] + (r * h) @ W_hh[2 * H:].T + b_hh[2 * H:])
        h = z * h + (1 - z) * n
        assert maxdiff(before[t], h) < TOL
    b_ih = b_ih.copy()
    b_ih[:H] = 40.0                                                # r = 1 exactly in float64
    assert maxdiff(rn.gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh)[0],
                   rn.gru_forward(X, h0, W_ih, W_hh, b_ih, b_hh, reset_after=False)[0]) < TOL


@pytest.mark.parametrize("b_f", [0.0, 1.0, 3.0, 5.0])
def test_exercise_3_forget_gate_half_life(b_f):
    # with W_ih = W_hh = 0 every gate is constant, and the cell state's gradient is exactly f^T
    T, N, D, H = 12, 2, 3, 4
    W_ih, W_hh, b_ih, b_hh = np.zeros((4 * H, D)), np.zeros((4 * H, H)), np.zeros(4 * H), np.zeros(4 * H)
    b_ih[H:2 * H] = b_f
    c0 = torch.zeros(N, H, dtype=torch.float64, requires_grad=True)
    args = [torch.tensor(a) for a in (np.ones((T, N, D)), np.zeros((N, H)))]
    _, _, c_T = rn.lstm_forward(args[0], args[1], c0, *[torch.tensor(w) for w in (W_ih, W_hh, b_ih, b_hh)], xp=torch)
    c_T.sum().backward()
    f = 1 / (1 + math.exp(-b_f))
    assert maxdiff(c0.grad.numpy(), np.full((N, H), f ** T)) < 1e-14
    k_half = math.log(2) / -math.log(f)                            # the solution's formula
    assert f ** k_half == pytest.approx(0.5, rel=1e-12)
    if b_f >= 3:                                                   # and its large-bias approximation e^b ln 2
        assert k_half == pytest.approx(math.exp(b_f) * math.log(2), rel=0.05)


# ---------------------------------------------------------------- the command line

def test_check_prints_tiny_differences_for_every_quantity(run_main):
    out = run_main(rn, "--check")
    rows = re.findall(r"^\s+(RNN|LSTM|GRU) (\S+)\s+max \|difference\| = (\S+)$", out, re.M)
    assert len(rows) == 8 + 10 + 8                                  # RNN, LSTM (c_n, dc0), GRU
    assert all(float(v) < TOL for *_, v in rows)


def test_demo_and_pitfalls_run(run_main):
    assert "Y[-1] is h_T: True" in run_main(rn)
    out = run_main(rn, "--pitfalls")
    assert out.count("\n") == 5 and "second time" in out
