"""Check a data file against a contract.

Exit codes: 0 the check passed, 1 it failed its thresholds (or could not read all
of the file), 2 it could not run and wrote nothing.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError
from tqdm import tqdm

from contracts.selectors import contract_for_export
from quality.checks.runner import FORMATS, QualityCheckError, format_of, quality_check_run
from quality.engine import ContractDefinitionError
from tenancy.commands import SpaceCommand

THRESHOLDS_FAILED = 1
CANNOT_RUN = 2


class Command(SpaceCommand):
    help = (
        "Stream DATA_FILE (CSV, JSON array or JSON Lines) through CONTRACT's rules, record one "
        "quality metric and the violations. Exit 0 when it passes, 1 when it fails its "
        "thresholds, 2 when it cannot run (nothing written), so that a pipeline can gate on it."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the contract version here, as pipelines expect, not Django's version.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("contract", help="The contract's name.")
        parser.add_argument("data_file", type=Path)
        parser.add_argument("--version", dest="contract_version",
                            help="Default: the active version, else the newest.")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the extension.")
        parser.add_argument("--record-id", help="The field that identifies a record.")
        parser.add_argument("--partial", action="store_true",
                            help="The file is part of the dataset: do not resolve violations "
                                 "it does not contain.")
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options):
        # Exit 1 means "failed its thresholds" to a pipeline: anything that stops the
        # check from running (and so writes nothing) exits 2 instead.
        try:
            return super().handle(*args, **options)
        except CommandError as error:
            raise CommandError(*error.args, returncode=CANNOT_RUN) from None
        except (DatabaseError, OSError) as error:
            raise CommandError(f"the check could not run: {error}",
                               returncode=CANNOT_RUN) from error

    def handle_in_space(self, space, *, contract, data_file, contract_version, format, record_id,
                        partial, json: bool, **options):
        found = contract_for_export(space=space, name=contract, version=contract_version)
        if found is None:
            wanted = f"{contract} {contract_version}" if contract_version else contract
            raise CommandError(f"No contract {wanted} in {space.organization.slug}/{space.slug}.")
        if not data_file.is_file():
            raise CommandError(f"{data_file}: no such file.")
        show_progress = sys.stderr.isatty() and not json
        bar = tqdm(unit=" records", unit_scale=True, disable=not show_progress, file=sys.stderr)
        try:
            outcome = quality_check_run(
                contract=found, source=data_file, data_format=format_of(data_file, format),
                record_id_field=record_id, full_dataset=not partial,
                progress=lambda index: bar.update(index - bar.n),
            )
        except (QualityCheckError, ContractDefinitionError) as error:
            raise CommandError(str(error)) from None
        finally:
            bar.close()
        metric = outcome.metric
        summary = {
            "contract": found.name, "version": found.version, "passed": outcome.passed,
            "complete": outcome.complete, "incomplete_reasons": outcome.incomplete_reasons,
            "record_count": metric.record_count, "valid_count": metric.valid_count,
            "invalid_count": metric.invalid_count, "violation_count": metric.violation_count,
            "accuracy": metric.accuracy, "completeness": metric.completeness,
            "violation_rate": metric.violation_rate, "overall_score": metric.overall_score,
            "field_scores": metric.field_scores, "threshold_breaches": metric.threshold_breaches,
            "violations": {"opened": outcome.violations_opened,
                           "updated": outcome.violations_updated,
                           "reopened": outcome.violations_reopened,
                           "resolved": outcome.violations_resolved,
                           "not_found": outcome.violations_flagged},
            "quality_metric_id": str(metric.pk), "seconds": round(outcome.seconds, 3),
        }
        if json:
            self.stdout.write(_dumps(summary))
        else:
            self._print(summary)
        if not outcome.passed:
            raise SystemExit(THRESHOLDS_FAILED)

    def _print(self, summary):
        verdict = self.style.SUCCESS("PASSED") if summary["passed"] else self.style.ERROR("FAILED")
        self.stdout.write(
            f"{summary['contract']} {summary['version']}: {verdict}  "
            f"score {summary['overall_score']:.2f}  "
            f"{summary['valid_count']:,} valid / {summary['invalid_count']:,} invalid of "
            f"{summary['record_count']:,} records, {summary['violation_count']:,} violations"
        )
        violations = summary["violations"]
        self.stdout.write(
            f"violations: {violations['opened']} opened, {violations['updated']} seen again, "
            f"{violations['reopened']} reopened, {violations['resolved']} resolved, "
            f"{violations['not_found']} taken on but not found (left to their assignees)"
        )
        if not summary["complete"]:
            self.stdout.write(self.style.WARNING(
                "INCOMPLETE: part of the file could not be read, so no violation was resolved."
            ))
            for reason in summary["incomplete_reasons"]:
                self.stdout.write(f"  {reason}")
        for breach in summary["threshold_breaches"]:
            self.stdout.write(f"  breach: {breach}")


def _dumps(value):
    return json.dumps(value, indent=2)
