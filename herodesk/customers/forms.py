from __future__ import annotations

from django import forms

from herodesk.params import MAX_ID


class CustomerEditForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False, help_text="Add an email address")
    phone = forms.CharField(max_length=40, required=False, help_text="Add a phone number")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MergeForm(forms.Form):
    other = forms.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="Id of the duplicate customer to merge into this one"
    )
    confirm = forms.BooleanField(required=False)
