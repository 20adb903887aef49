"""Rule ``counting_argument_table``: 2^-N for this pipeline's networks, and GOE Monte Carlo."""

from landscape.base.io import write_table
from landscape.base.runlog import logged
from landscape.engine.data import load_dataset
from landscape.experiments.counting.counting import CountingOptions, counting_table
from landscape.experiments.deep_linear import deep_linear
from landscape.experiments.linear_ae import linear_ae
from landscape.experiments.symmetry import symmetry
from landscape.experiments.training_plateaus import training_plateaus

with logged(snakemake.log[0], snakemake.rule) as log:
    params = snakemake.params
    opts = CountingOptions.from_config(params.options)
    dims = {}
    for name, path in snakemake.input.items():
        ds = load_dataset(path)
        dims[name] = (ds.x_train.shape[1], ds.output_dim)
    optimum = deep_linear.OptimumOptions.from_config(params.deep_linear)
    saddles = deep_linear.SaddleOptions.from_config(params.deep_linear_saddles)
    nets = {
        **training_plateaus.architectures(
            training_plateaus.PlateauOptions.from_config(params.training_plateaus), dims
        ),
        **symmetry.architectures(symmetry.SymmetryOptions.from_config(params.symmetry), dims),
        **deep_linear.architectures(optimum, saddles, dims),
        **linear_ae.architectures(linear_ae.LinearAEOptions.from_config(params.linear_ae)),
    }
    table = counting_table(nets, opts.goe_max_n, opts.samples, opts.seed)
    for r in table.itertuples():
        log.info("%s: N = %d, log10 2^-N = %.1f", r.name, r.n_params, r.log10_p_independent)
    write_table(table, snakemake.output[0])
