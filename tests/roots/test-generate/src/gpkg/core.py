"""Core, with calls a reviewer wants to know about."""

import pickle
import subprocess
import threading
from concurrent.futures import ProcessPoolExecutor

import yaml


def run_user_code(text):
    return eval(text)


def shell(command):
    return subprocess.run(command, shell=True)


def no_shell(command):
    return subprocess.run(["ls", command])


def load(blob, path):
    with open(path) as stream:
        config = yaml.load(stream)
    return pickle.loads(blob), config


def safe(path):
    with open(path) as stream:
        return yaml.load(stream, Loader=yaml.SafeLoader)


def background(work):
    threading.Thread(target=work).start()
    with ProcessPoolExecutor() as pool:
        return pool.submit(work)


class Widget:
    """A widget."""

    def render(self):
        return "widget"
