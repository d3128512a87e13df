"""Evaluation suite: NSMC, KLUE-NLI/STS/YNAT and KorQuAD readers, metrics, fine-tuning, baselines, the table."""

from kpfnlp.eval.data import DataError, QAExample, TextExample
from kpfnlp.eval.tasks import TASKS, TaskData, TaskSpec, get_task, load_task_data

__all__ = ["TASKS", "DataError", "QAExample", "TaskData", "TaskSpec", "TextExample", "get_task", "load_task_data"]
