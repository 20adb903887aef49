"""Rule ``counting_argument_table``: 2^-N for this pipeline's networks, and GOE Monte Carlo."""

from landscape.counting import counting_table
from landscape.data import load_dataset
from landscape.io import write_table
from landscape.models import MLP, deep_linear
from landscape.runlog import logged

with logged(snakemake.log[0], snakemake.rule) as log:
    cfg, sec = snakemake.params.options, snakemake.params.sections
    dims = {}
    for name, path in snakemake.input.items():
        ds = load_dataset(path)
        dims[name] = (ds.x_train.shape[1], ds.output_dim)
    nets = {}
    tp = sec["training_plateaus"]
    dx, dy = dims[tp["dataset"]]
    model = MLP((dx, *tp["hidden"], dy), tp["activation"])
    nets[f"1c plateaus {'-'.join(map(str, model.widths))}"] = model.n_params
    for name in sec["symmetry"]["datasets"]:
        model = MLP((dims[name][0], *sec["symmetry"]["hidden"], dims[name][1]))
        nets[f"0a symmetry {name} {'-'.join(map(str, model.widths))}"] = model.n_params
    dl = sec["deep_linear"]
    for name in dl["datasets"]:
        dx, dy = dims[name]
        counts = [deep_linear((dx, *[w] * k, dy)).n_params
                  for k in dl["depths"] for w in dl["hidden_widths"]]  # fmt: skip
        nets[f"2b deep linear {name}, smallest"] = min(counts)
        nets[f"2b deep linear {name}, largest"] = max(counts)
    ds_cfg = sec["deep_linear_saddles"]
    d = len(ds_cfg["singular_values"])
    for k in ds_cfg["depths"]:
        nets[f"2c deep linear, {k} hidden"] = deep_linear((d, *[ds_cfg["hidden"]] * k, d)).n_params
    ae = sec["linear_ae"]
    nets["2 linear autoencoder"] = deep_linear(
        (ae["input_dim"], ae["hidden"], ae["input_dim"])
    ).n_params
    table = counting_table(nets, cfg["goe_max_n"], cfg["samples"], cfg["seed"])
    for r in table.itertuples():
        log.info("%s: N = %d, log10 2^-N = %.1f", r.name, r.n_params, r.log10_p_independent)
    write_table(table, snakemake.output[0])
