"""Messages passed between widgets and screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class QuizAnswered(Message):
    lesson_id: str
    question_id: str
    kind: str
    answer: Any
    correct: bool | None


@dataclass
class OpenLab(Message):
    lab_id: str
    settings: dict[str, Any] = field(default_factory=dict)
    lesson_id: str | None = None
