"""The Label Studio calls the annotation loop makes, through label-studio-sdk 2.x.

Every failure comes out as LabelStudioError with a plain message (server not
reachable, token refused, project missing), never a client library traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ..labels import LABELS
from .config import config_labels, label_config

PRIORITY_VIEW = "最有用的先 · most useful first"
IMPORT_BATCH = 50


class LabelStudioError(Exception):
    """Talking to Label Studio failed; the message says what to check."""


@dataclass(frozen=True)
class Project:
    id: int
    title: str
    created: bool = False


@dataclass(frozen=True)
class Prediction:
    model_version: str
    result: list
    created_at: str


class Server:
    """One Label Studio server, reached with an API token (a legacy token or a personal access token)."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 120.0) -> None:
        try:
            from label_studio_sdk import LabelStudio
        except ImportError:
            raise LabelStudioError("label-studio-sdk is not installed: pip install 'ogi-extractor[annotate]' "
                                   "(scripts/setup installs it)") from None
        self.url = url.rstrip("/")
        self.ls = LabelStudio(base_url=self.url, api_key=api_key, timeout=timeout)

    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        import httpx
        from label_studio_sdk.core.api_error import ApiError

        try:
            yield
        except ApiError as exc:
            if exc.status_code in (401, 403):
                raise LabelStudioError(f"Label Studio at {self.url} refused the API token while trying to {what} "
                                       "(check --token / LABEL_STUDIO_API_KEY)") from None
            body = exc.body if isinstance(exc.body, str) else json.dumps(exc.body, ensure_ascii=False)
            raise LabelStudioError(f"Label Studio could not {what}: HTTP {exc.status_code}: {body[:500]}") from None
        except httpx.HTTPError as exc:
            raise LabelStudioError(f"cannot reach Label Studio at {self.url} to {what} ({type(exc).__name__}: {exc}); "
                                   "check --url / LABEL_STUDIO_URL and that the server runs") from None

    # Projects

    def find_project(self, title: str) -> Project | None:
        """The project with exactly this title; an error when several have it."""
        with self._calling("list projects"):
            found = [p for p in self.ls.projects.list(page_size=100) if p.title == title]
        if len(found) > 1:
            raise LabelStudioError(f"{len(found)} projects are titled {title!r} (ids "
                                   f"{', '.join(str(p.id) for p in found)}); rename all but one")
        return Project(found[0].id, title) if found else None

    def project(self, title: str) -> Project:
        found = self.find_project(title)
        if found is None:
            raise LabelStudioError(f"no project titled {title!r} on {self.url}")
        return found

    def ensure_project(self, title: str) -> Project:
        """The project titled `title`, created with our labelling interface if missing.

        An existing project must offer exactly our labels (its look may differ).
        Pre-annotations are shown to annotators (`show_collab_predictions`).
        """
        found = self.find_project(title)
        if found is None:
            with self._calling("create the project"):
                created = self.ls.projects.create(
                    title=title, label_config=label_config(), show_collab_predictions=True,
                    description="政府信息公开工作年度报告：逐片段标注 · annual reports, one label per token "
                                "(ogi annotate; see annotations/labelstudio/GUIDE.md)")
                self._priority_view(created.id)
            return Project(created.id, title, created=True)
        with self._calling("read the project"):
            config = self.ls.projects.get(id=found.id).label_config
        offered = config_labels(config or "")
        if sorted(offered) != sorted(LABELS):
            raise LabelStudioError(f"project {title!r} labels {sorted(offered)}, this ogi labels {sorted(LABELS)}: "
                                   "use another project title")
        return found

    def _priority_view(self, project_id: int) -> None:
        """A Data Manager tab ordering tasks by our priority, highest first."""
        with self._calling("create the priority view"):
            self.ls.views.create(project=project_id,
                                 data={"title": PRIORITY_VIEW, "ordering": ["-tasks:data.priority"]})

    # Tasks

    def task_hashes(self, project_id: int) -> dict[str, int]:
        """sha256 of each task's source -> task id (tasks not made by ogi are ignored)."""
        out: dict[str, int] = {}
        with self._calling("list the project's tasks"):
            for task in self.ls.tasks.list(project=project_id, page_size=100):
                sha = (task.data or {}).get("sha256")
                if isinstance(sha, str):
                    out.setdefault(sha, task.id)
        return out

    def import_tasks(self, project_id: int, tasks: Sequence[dict]) -> list[int]:
        """Import tasks in the order given (Label Studio hands out tasks by id); returns their ids."""
        ids: list[int] = []
        for start in range(0, len(tasks), IMPORT_BATCH):
            batch = list(tasks[start:start + IMPORT_BATCH])
            with self._calling("import tasks"):
                response = self.ls.projects.import_tasks(id=project_id, request=batch, return_task_ids=True)
            ids += list(response.task_ids or [])
        if not tasks:
            return ids
        # Importing sets the project's model version to the last one imported, and Label Studio
        # then pre-annotates only with predictions of that version: tasks pushed earlier by another
        # model would open empty. Without a version, each task shows the prediction it came with.
        with self._calling("show every task's own pre-annotation"):
            self.ls.projects.update(id=project_id, model_version="", show_collab_predictions=True)
        return ids

    def export_annotated(self, project_id: int) -> list[dict]:
        """Every task of the project that has an annotation, with its data and annotations (JSON export)."""
        with self._calling("export the project's annotations"):
            raw = b"".join(self.ls.projects.exports.download_sync(project_id, export_type="JSON",
                                                                  download_all_tasks=False))
        return json.loads(raw or b"[]")

    def predictions(self, task_id: int) -> list[Prediction]:
        with self._calling("read a task's predictions"):
            found = self.ls.predictions.list(task=task_id)
        return [Prediction(p.model_version or "", list(p.result or []), str(p.created_at or "")) for p in found]
