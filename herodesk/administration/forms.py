"""Forms of the settings pages: agents, teams, holidays, contact reasons and tags."""

from __future__ import annotations

import zoneinfo

from django import forms

from herodesk.accounts.models import Team, User
from herodesk.conversations.models import ContactReason, Tag


class TeamsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            Team.objects.order_by("name"), required=False, widget=forms.CheckboxSelectMultiple, **kwargs
        )


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    username = forms.CharField(max_length=150, help_text="What they log in with")
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=User.Role.choices, initial=User.Role.AGENT)
    teams = TeamsField()


class AgentTeamsForm(forms.Form):
    teams = TeamsField()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=User.Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    time_zone = forms.CharField(max_length=64, initial="UTC", help_text="e.g. Europe/Berlin")
    opens_at = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Opens at"
    )
    closes_at = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Closes at"
    )
    weekend_open = forms.BooleanField(required=False, label="Open on weekends too")
    assignment = forms.ChoiceField(choices=Team.Assignment.choices, label="New conversations are assigned")

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                "Unknown time zone: use a name such as Europe/Berlin or America/New_York."
            )
        return name


class HolidayForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=100, required=False, help_text="e.g. New Year's Day")


class NameForm(forms.Form):
    name = forms.CharField(max_length=100)


class ReasonMergeForm(forms.Form):
    target = forms.ModelChoiceField(ContactReason.objects.order_by("name"), label="Merge into")


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(Tag.objects.order_by("name"), label="Merge into")


class ActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("1", "Reactivate"), ("0", "Deactivate")], coerce=lambda v: v == "1"
    )
