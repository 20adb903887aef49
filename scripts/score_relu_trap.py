"""Score claim 3.relu_trap: the trap is a local minimum above the global one; others escape it."""

from landscape.io import read_table, write_table
from landscape.relu_trap import END_COLUMNS, PERTURBATION_COLUMNS
from landscape.runlog import logged
from landscape.scorecard import NOT_REPLICATED, REPLICATED, score_table

GAP = 0.01  # the trap's loss must exceed the global minimum by at least this
ROUND_OFF = 1e-12  # a perturbation "lowers" the loss only by more than this

with logged(snakemake.log[0], snakemake.rule):
    ends = read_table(snakemake.input.ends, END_COLUMNS)
    perturb = read_table(snakemake.input.perturbations, PERTURBATION_COLUMNS)
    trap = ends[ends["init"] == "trap"].iloc[0]
    contrast = ends[ends["init"] != "trap"]
    reached = int((contrast["loss"] <= 1e-10).sum())
    lowest = float(perturb["min_loss_change"].min())
    checks = {
        "gradient zero": trap["grad_norm_sq"] <= 1e-10,
        "no negative eigenvalue": trap["n_negative"] == 0,
        "no perturbation lowers the loss": lowest >= -ROUND_OFF,
        "above the global minimum": trap["loss"] - trap["global_min_loss"] >= GAP,
        "another initialisation reaches it": reached > 0,
    }
    row = {
        "claim_id": "3.relu_trap",
        "measured": f"trap loss {trap['loss']:.4g} (global 0), |g|^2 {trap['grad_norm_sq']:.1e}, "
        f"{int(trap['n_negative'])} negative eigenvalues (nullity {int(trap['nullity'])}, "
        f"{int(trap['dead_units'])} dead units), smallest loss change over "
        f"{int(perturb['directions'].iloc[0])} random directions at radii "
        f"{perturb['radius'].max():g}..{perturb['radius'].min():g}: {lowest:.2e}; "
        f"{reached}/{len(contrast)} LeCun-normal initialisations reach loss <= 1e-10",
        "tolerance": f"|g|^2 <= 1e-10; loss changes >= -{ROUND_OFF:g}; gap >= {GAP}",
        "verdict": REPLICATED if all(checks.values()) else NOT_REPLICATED,
    }
    write_table(score_table([row]), snakemake.output[0])
