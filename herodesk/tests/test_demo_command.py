"""`herodesk demo` serves right after seeding: the signals are computed in the background, with a
progress bar in the terminal and a notice in the desk until they are done."""

from __future__ import annotations

import argparse
import threading
from typing import TypeVar

import pytest
from django.urls import reverse

from herodesk import cli
from herodesk.insights import progress

T = TypeVar("T")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    # cmd_demo sets these with setdefault; set here so that they are undone after the test
    monkeypatch.setenv("HERODESK_HTTPS", "false")
    monkeypatch.setenv("HERODESK_DATA_DIR", str(tmp_path))


@pytest.mark.django_db
def test_demo_starts_serving_before_seeding_and_analysis(monkeypatch):
    steps: list[str] = []
    monkeypatch.setattr(cli, "_prepare_database", lambda quiet=True: _note(steps, "migrate", None))
    monkeypatch.setattr(cli, "_processes", lambda *a, **kw: _note(steps, "serve", []))
    monkeypatch.setattr(
        cli,
        "_analyse_demo_in_background",
        lambda seed, wait_for: _note(steps, f"background {seed} after {wait_for}", None),
    )
    monkeypatch.setattr(cli, "_supervise", lambda procs: _note(steps, "supervise", 0))
    args = argparse.Namespace(reset=True, conversations=10, port=8123, workers=1)
    assert cli.cmd_demo(args) == 0
    assert steps == [
        "migrate",
        "serve",
        "background 10 after http://127.0.0.1:8123/accounts/login/",
        "supervise",
    ]
    state = progress.running()  # the desk shows its notice from the first page on
    assert state is not None and state.phase == "seeding"
    from django.contrib.auth import authenticate

    from herodesk.demo.cast import DEMO_PASSWORD

    assert authenticate(username="admin", password=DEMO_PASSWORD) is not None  # logins work at once


@pytest.mark.django_db
def test_an_existing_analysed_demo_is_not_analysed_again(monkeypatch):
    steps: list[str] = []
    monkeypatch.setattr(cli, "_prepare_database", lambda quiet=True: None)
    monkeypatch.setattr(cli, "_keep_demo_colleague_viewing", lambda: None)
    monkeypatch.setattr(cli, "_processes", lambda *a, **kw: [])
    monkeypatch.setattr(
        cli, "_analyse_demo_in_background", lambda seed, wait_for: _note(steps, f"analysis {seed}", None)
    )
    monkeypatch.setattr(cli, "_supervise", lambda procs: 0)
    from herodesk.tests.factories import ConversationFactory

    ConversationFactory()
    progress.finish(1)
    cli.cmd_demo(argparse.Namespace(reset=False, conversations=10, port=8123, workers=1))
    assert steps == []
    progress.write("analysing", 3, 10)  # interrupted: the next start picks it up again
    cli.cmd_demo(argparse.Namespace(reset=False, conversations=10, port=8123, workers=1))
    assert steps == ["analysis None"]  # analysed again, not seeded again


def test_the_analysis_runs_in_a_background_thread(monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(cli, "_wait_until_serving", lambda url: True)
    monkeypatch.setattr(cli, "_analyse_demo", lambda seed: release.wait())
    thread = cli._analyse_demo_in_background(10, wait_for="http://127.0.0.1:8123/")
    assert thread.daemon and thread.is_alive()  # cmd_demo goes on to serve meanwhile
    release.set()
    thread.join(5)


@pytest.mark.django_db
def test_the_analysis_reports_each_phase_and_finishes(monkeypatch, capsys):
    from herodesk.insights import actions, reasons

    seen: list[str] = []
    monkeypatch.setattr(cli, "_seed_demo", lambda n: _note(seen, f"seed {n}", None))
    monkeypatch.setattr(cli, "_keep_demo_colleague_viewing", lambda: None)
    monkeypatch.setattr(reasons, "retrain", lambda: _note(seen, _phase(), 12))

    def analyse_all(batch_size, progress, retrain):
        assert not retrain and batch_size <= 50
        for done in (50, 100):
            progress(done, 100)
        seen.append("analysing")
        return 100

    monkeypatch.setattr(actions, "analyse_all", analyse_all)
    monkeypatch.setattr(reasons, "warm_proposals", lambda: _note(seen, _phase(), 0))
    cli._analyse_demo(10)
    assert seen == ["seed 10", "training", "analysing", "grouping"]
    assert progress.read().phase == "done" and progress.running() is None
    out = capsys.readouterr().out
    assert "conversations analysed: 100 of 100" in out and "[" + "#" * 30 + "]" in out


def test_progress_bar_reads_well():
    assert cli._progress_bar("conversations analysed", 1240, 5000, 95) == (
        "  [#######.......................] conversations analysed: 1,240 of 5,000, about 1 min 35 s left"
    )


@pytest.mark.django_db
def test_the_desk_shows_a_notice_while_signals_are_computed(agent_client):
    assert b"Signals are being computed" not in agent_client.get(reverse("insights:hero_moments")).content
    progress.write("analysing", 1240, 5000)
    body = agent_client.get(reverse("insights:hero_moments")).content.decode()
    assert "Signals are being computed:</strong> 1,240 of 5,000 conversations" in body
    progress.finish(5000)
    assert (
        "Signals are being computed"
        not in agent_client.get(reverse("insights:hero_moments")).content.decode()
    )


def _note(steps: list[str], step: str, result: T) -> T:
    steps.append(step)
    return result


def _phase() -> str:
    state = progress.read()
    return state.phase if state else "none"


class _Summary:
    conversations = 10
