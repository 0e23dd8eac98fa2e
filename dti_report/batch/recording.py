"""What a run in a workspace leaves in the store, gathered from the batch before the
store's one transaction: arrivals, typed values, scores, figures, standings."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from dti_report.batch.run import BatchResult
from dti_report.batch.store import RunRecord, Store, StoredReading
from dti_report.evaluation.history import previous_period
from dti_report.evaluation.targets import Evaluator, TargetData
from dti_report.evaluation.unit_values import plain_values


def arrivals(batch: BatchResult, store: Store, reading: StoredReading, period: str, started: str,
             first_run: bool) -> dict[str, str]:
    """When each file arrived: the first time the store saw its content in this period's inbox;
    on the period's first run, when nothing was seen before, the file's own time."""
    out: dict[str, str] = {}
    for sub in batch.submissions:
        seen = reading.sightings.get(sub.path)
        if seen is not None and seen.first_seen:
            out[sub.path] = seen.first_seen
            continue
        earlier = store.first_seen(period, sub.sha256) if sub.sha256 else None
        if earlier:
            out[sub.path] = earlier
        elif first_run and seen is not None:
            out[sub.path] = min(seen.mtime, started)
        else:
            out[sub.path] = started
    return out


def typed_values(batch: BatchResult, kept: set[tuple[str, str]] = frozenset()) -> Iterator[tuple[str, str, list[list]]]:
    """Each used submission's values, a unit at a time: (key, unit, [[field, raw, number,
    text, note, cell], …]), as written, typed (a number, and the text a report shows), with
    the unit's note (evidence) and cell. A generator over the submissions' packed rows: the
    store takes them as they come, so a national batch's million values are never all held
    at once. `kept`: the (key, unit) pairs whose stored values stand (every row of a workbook
    is its unit's), left out."""
    for key, fb in batch.forms.items():
        written = {sub.unit_code for sub in fb.accepted if (key, sub.unit_code) not in kept}
        if not written:
            continue
        plain = plain_values(fb.form, fb.data, written)
        values = fb.data.values
        grid = values.to_numpy()
        unit_at = {unit: i for i, unit in enumerate(values.index)}
        field_at = {field_id: j for j, field_id in enumerate(values.columns)}
        for sub in fb.accepted:
            if (key, sub.unit_code) in kept:
                continue
            unit, rows, numbers, shown = None, [], [], {}
            for row_unit, field_id, raw, note, _file, _sheet, cell in sub.records:
                if row_unit != unit:
                    if rows:
                        yield key, unit, rows
                    unit, rows = row_unit, []
                    i = unit_at.get(unit)
                    numbers = grid[i].tolist() if i is not None else []  # the unit's row, as Python floats
                    shown = plain.get(unit, {})
                j = field_at.get(field_id)
                number = numbers[j] if numbers and j is not None else None
                text = shown.get(field_id)
                rows.append([field_id, raw, None if number is None or number != number else number,
                             None if text is None else str(text), note, cell])
            if rows:
                yield key, unit, rows


def target_figures(batch: BatchResult) -> dict[str, tuple[str, str, dict, list[tuple]]]:
    out = {}
    for key, data in batch.targets.items():
        form = batch.forms[key].form
        evaluator = Evaluator(form, data)
        figures = []
        for inp in form.inputs:
            figure = evaluator.key_figure(inp.key)
            verdict, _ = evaluator.evaluate(figure, evaluator.target_for("key", inp.key))
            figures.append((inp.key, figure.value, figure.display, verdict))
        out[key] = (form.id, form.version, data.to_json(), figures)
    return out


def run_record(batch: BatchResult, reading: StoredReading, *, started: str, finished: str, options: dict,
               arrived: dict[str, str], standings: dict[str, tuple[str, list[tuple]]],
               phases: Callable[[], list[tuple[str, float]]] = list) -> RunRecord:
    results = batch.results
    index_ids = {key: [i.id for i in r.indicator_set.indices] + [p.id for p in r.indicator_set.pillars]
                 for key, r in results.items()}
    return RunRecord(
        period=batch.period, started=started, finished=finished, options=options, reader=reading.reader,
        submissions=batch.submissions, sightings=reading.sightings, reused=set(reading.reused),
        arrivals=arrived,
        set_rows=[{"key": key, "id": fb.form.id, "version": fb.form.version} for key, fb in batch.forms.items()],
        values=partial(typed_values, batch), issues=batch.issues,
        scores={key: r.scores for key, r in results.items()}, totals={key: r.totals for key, r in results.items()},
        index_ids=index_ids, targets=target_figures(batch), standings=standings,
        expected={key: (fb.form.id, [u.code for u in fb.expected]) for key, fb in batch.forms.items()},
        phases=phases,
    )


def previous_targets(batch: BatchResult, store: Store) -> dict[str, TargetData]:
    """Each target set's figures of the latest stored period before this one ([[kytruoc.Key]])."""
    out = {}
    for key, data in batch.targets.items():
        before = previous_period(batch.period, [p for p in store.periods(data.set_id) if p != batch.period])
        stored = store.target_data(data.set_id, before) if before else None
        if stored is not None:
            out[key] = TargetData.from_json(stored)
    return out
