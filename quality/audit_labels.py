"""The quality actions of the audit log in words (registered when the app is ready)."""

from quality.models import Priority, ResolutionReason
from tenancy.audit_labels import change_after, register_action


def _choice(choices, value):
    return dict(choices.choices).get(value, value)


def _closed(verb):
    def sentence(changes, entry):
        reason = change_after(changes, "resolution_reason")
        if not reason:
            return verb
        return f"{verb} (reason: {_choice(ResolutionReason, reason).lower()})"
    return sentence


def _counted(verb):
    return lambda changes, entry: f"{verb} {change_after(changes, 'count')} violations"


def _result(changes, entry):
    passed = "passed" if change_after(changes, "passed") else "failed"
    return (f"recorded a check that {passed}: {change_after(changes, 'violations_opened')} "
            f"violations opened, {change_after(changes, 'violations_updated')} seen again")


def register():
    register_action("quality.violation.acknowledged", title="violation acknowledged",
                    sentence=lambda changes, entry: "acknowledged")
    register_action(
        "quality.violation.assigned", title="violation assigned",
        sentence=lambda changes, entry: f"assigned to {change_after(changes, 'assignee')}",
    )
    register_action("quality.violation.resolved", title="violation resolved",
                    sentence=_closed("resolved"))
    register_action("quality.violation.ignored", title="violation ignored",
                    sentence=_closed("ignored"))
    register_action("quality.violation.reopened", title="violation reopened",
                    sentence=lambda changes, entry: "reopened")
    register_action(
        "quality.violation.prioritized", title="violation priority set",
        sentence=lambda changes, entry: (
            f"set priority to {_choice(Priority, change_after(changes, 'priority')).lower()}"
        ),
    )
    register_action("quality.qualityviolation.opened_by_check",
                    title="violations opened by a check", sentence=_counted("opened"))
    register_action("quality.qualityviolation.opened_by_result",
                    title="violations opened by a reported result", sentence=_counted("opened"))
    register_action("quality.qualityviolation.auto_resolved",
                    title="violations resolved by a check", sentence=_counted("resolved"))
    register_action("quality.qualityviolation.imported", title="violations imported",
                    sentence=_counted("imported"))
    register_action("quality.result.recorded", title="check result recorded", sentence=_result)
    register_action("quality.alert.raised", title="alert raised",
                    sentence=lambda changes, entry: "raised")
    register_action("quality.alert.acknowledged", title="alert acknowledged",
                    sentence=lambda changes, entry: "acknowledged")
