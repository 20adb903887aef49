"""Rule ``dataset``: generate one dataset locally and save it as ``.npz``."""

from landscape.base.runlog import logged
from landscape.engine.data import make_dataset, save_dataset

with logged(snakemake.log[0], snakemake.rule) as log:
    name = snakemake.wildcards.dataset
    options = dict(snakemake.params.options)
    log.info("generating %s with %s", name, options)
    ds = make_dataset(name, **options)
    log.info(
        "%s: %s task, train x %s, test x %s, %d outputs",
        name,
        ds.task,
        ds.x_train.shape,
        ds.x_test.shape,
        ds.output_dim,
    )
    save_dataset(ds, snakemake.output[0])
