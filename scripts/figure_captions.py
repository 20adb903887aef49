"""Rule ``figure_captions``: the measured part of every figure's caption, from the scorecard."""

from landscape.base.io import atomic_path, read_table
from landscape.base.runlog import logged
from landscape.pipeline.report import FIGURE_CLAIMS, measured_caption
from landscape.pipeline.scorecard import SCORECARD_COLUMNS

with logged(snakemake.log[0], snakemake.rule) as log:
    card = read_table(snakemake.input[0], SCORECARD_COLUMNS)
    for figure, path in zip(FIGURE_CLAIMS, snakemake.output, strict=True):
        with atomic_path(path) as tmp:
            tmp.write_text(measured_caption(card, figure))
        log.info("%s: claims %s", figure, ", ".join(FIGURE_CLAIMS[figure][1]))
