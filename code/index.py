"""The four steps of training, on the smallest network worth the name.

Page: docs/index.md ("What a neural network is").
A network with 2 inputs, one hidden layer of 2 ReLU neurons and 1 linear output, trained on one example
with the squared error: forward pass, loss, backpropagation (the chain rule, by hand), parameter update.
The same step in PyTorch, where autograd does the backpropagation, must give the same numbers.
Backpropagation as used here: Rumelhart, Hinton & Williams, "Learning representations by back-propagating
errors", Nature 323 (1986).
"""
# --8<-- [start:imports]
import numpy as np
import torch
# --8<-- [end:imports]


# --8<-- [start:params]
def make_params():
    """The starting weights, chosen by hand so every number on the page is easy to follow."""
    return {
        "W1": np.array([[0.6, -0.2],
                        [0.3, 0.5]]),   # (2, 2): row j holds hidden neuron j's weights
        "b1": np.array([0.1, -0.1]),    # (2,)
        "W2": np.array([[0.7, -0.4]]),  # (1, 2): the output neuron's weights
        "b2": np.array([0.2]),          # (1,)
    }
# --8<-- [end:params]


# --8<-- [start:forward]
def forward(params, x):
    """Step 1, the forward pass: input -> hidden features -> prediction. Eq. (1)-(3)."""
    if x.shape != (2,):
        raise ValueError(f"x must have shape (2,) (two input features), got {x.shape}")
    z1 = params["W1"] @ x + params["b1"]   # (2,)  pre-activations of the hidden layer
    h = np.maximum(z1, 0.0)                # (2,)  ReLU: the hidden features
    y_hat = params["W2"] @ h + params["b2"]  # (1,) the prediction
    return {"x": x, "z1": z1, "h": h, "y_hat": y_hat}
# --8<-- [end:forward]


# --8<-- [start:loss]
def squared_error(y_hat, y):
    """Step 2, the loss: how far the prediction is from the target. Eq. (4)."""
    return float(((y_hat - y) ** 2).sum())
# --8<-- [end:loss]


# --8<-- [start:backward]
def backward(params, cache, y):
    """Step 3, backpropagation: the chain rule from the loss back to every parameter. Eq. (5)-(10)."""
    dy_hat = 2.0 * (cache["y_hat"] - y)           # (1,)   dL/dy_hat, eq. (5)
    dW2 = np.outer(dy_hat, cache["h"])            # (1, 2) dL/dW2 = dL/dy_hat * h, eq. (6)
    db2 = dy_hat                                  # (1,)   eq. (7)
    dh = params["W2"].T @ dy_hat                  # (2,)   each feature's share of the blame, eq. (8)
    dz1 = dh * (cache["z1"] > 0)                  # (2,)   ReLU passes the gradient only where z1 > 0
    dW1 = np.outer(dz1, cache["x"])               # (2, 2) eq. (9)
    db1 = dz1                                     # (2,)   eq. (10)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
# --8<-- [end:backward]


# --8<-- [start:update]
def update(params, grads, lr):
    """Step 4, the update: move every parameter a small step against its gradient. Eq. (11)."""
    if lr <= 0:
        raise ValueError(f"the learning rate must be positive, got {lr}")
    return {name: params[name] - lr * grads[name] for name in params}
# --8<-- [end:update]


# --8<-- [start:train_step]
def train_step(params, x, y, lr):
    """All four steps once; returns the new parameters and the loss before the update."""
    cache = forward(params, x)
    loss = squared_error(cache["y_hat"], y)
    grads = backward(params, cache, y)
    return update(params, grads, lr), loss
# --8<-- [end:train_step]


# --8<-- [start:torch_step]
def torch_step(params, x, y, lr):
    """The same step in PyTorch: autograd does step 3, torch.optim.SGD does step 4."""
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1)).double()
    with torch.no_grad():                         # copy our starting weights in
        model[0].weight.copy_(torch.from_numpy(params["W1"]))
        model[0].bias.copy_(torch.from_numpy(params["b1"]))
        model[2].weight.copy_(torch.from_numpy(params["W2"]))
        model[2].bias.copy_(torch.from_numpy(params["b2"]))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    y_hat = model(torch.from_numpy(x))            # 1. forward pass
    loss = ((y_hat - torch.from_numpy(y)) ** 2).sum()  # 2. loss
    optimizer.zero_grad()
    loss.backward()                               # 3. backpropagation
    optimizer.step()                              # 4. update
    return model, loss.item()
# --8<-- [end:torch_step]


# --8<-- [start:fit]
def fit(params, x, y, lr, steps):
    """Repeat the four steps; the loss after each step shows the network learning."""
    losses = []
    for _ in range(steps):
        params, loss = train_step(params, x, y, lr)
        losses.append(loss)
    return params, losses
# --8<-- [end:fit]


# --8<-- [start:exercise_dead_neuron]
def exercise_dead_neuron():
    """Exercise 1: for x = (-1, 1) hidden neuron 1 is switched off; its weights get no gradient."""
    params, x, y = make_params(), np.array([-1.0, 1.0]), np.array([1.0])
    cache = forward(params, x)
    grads = backward(params, cache, y)
    print("z1 =", cache["z1"], " h =", cache["h"])
    print("dL/dW1 =", (grads["W1"] + 0.0).tolist(), " dL/db1 =", (grads["b1"] + 0.0).tolist())  # + 0.0: no -0.0
    return cache, grads
# --8<-- [end:exercise_dead_neuron]


# --8<-- [start:exercise_step_size]
def exercise_step_size(lrs=(0.01, 0.05, 0.2, 0.6)):
    """Exercise 3: the loss after one step, for several learning rates."""
    x, y = np.array([1.0, 2.0]), np.array([1.0])
    after = {}
    for lr in lrs:
        new, before = train_step(make_params(), x, y, lr)
        after[lr] = squared_error(forward(new, x)["y_hat"], y)
        print(f"lr = {lr:<5} loss {before:.4f} -> {after[lr]:.4f}")
    return after
# --8<-- [end:exercise_step_size]


def plot_loss_curve():
    """Figure for the page: the loss over 20 steps for a learning rate too small, right, and too large."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    x, y = np.array([1.0, 2.0]), np.array([1.0])
    fig, ax = plt.subplots(figsize=(7, 3))
    for lr, style in [(0.005, "^:"), (0.05, "o-"), (1.2, "s--")]:
        _, losses = fit(make_params(), x, y, lr=lr, steps=20)
        ax.plot(range(20), losses, style, markersize=3, label=f"learning rate {lr}")
    ax.set(xlabel="step", ylabel="loss $L$", yscale="log", title="The four steps, repeated")
    ax.legend()
    fig.tight_layout()
    return fig


# --8<-- [start:print_step]
def print_step(params, x, y, lr):
    cache = forward(params, x)
    grads = backward(params, cache, y)
    new = update(params, grads, lr)
    print("1. forward:  z1 =", cache["z1"], " h =", cache["h"], " y_hat =", cache["y_hat"])
    print("2. loss:     L = (y_hat - y)^2 =", round(squared_error(cache["y_hat"], y), 6))
    for name in params:
        print(f"3. gradient dL/d{name} =", np.round(grads[name], 6).tolist())
    for name in params:
        print(f"4. update   {name} <- {name} - {lr} * dL/d{name} =", np.round(new[name], 6).tolist())
    print("loss after the step:", round(squared_error(forward(new, x)["y_hat"], y), 6))
# --8<-- [end:print_step]


# --8<-- [start:print_check]
def print_check(params, x, y, lr):
    new, loss = train_step(params, x, y, lr)
    model, torch_loss = torch_step(params, x, y, lr)
    print(f"loss:            NumPy {loss:.12f}   PyTorch {torch_loss:.12f}")
    pairs = [("W1", model[0].weight), ("b1", model[0].bias), ("W2", model[2].weight), ("b2", model[2].bias)]
    for name, tensor in pairs:
        diff = np.abs(new[name] - tensor.detach().numpy()).max()
        print(f"updated {name}: max |NumPy - PyTorch| = {diff:.1e}")
# --8<-- [end:print_check]


# --8<-- [start:demo]
if __name__ == "__main__":
    import sys
    params, x, y, lr = make_params(), np.array([1.0, 2.0]), np.array([1.0]), 0.05
    if "--check" in sys.argv:
        print_check(params, x, y, lr)
    elif "--fit" in sys.argv:
        _, losses = fit(params, x, y, lr, steps=20)
        print("loss at steps 0, 1, 2, 5, 10, 19:", ", ".join(f"{losses[i]:.2e}" for i in (0, 1, 2, 5, 10, 19)))
    elif "--exercises" in sys.argv:
        exercise_dead_neuron()
        exercise_step_size()
    else:
        print_step(params, x, y, lr)
# --8<-- [end:demo]
