"""A Dask LocalCluster of two worker processes, started by the tests themselves."""

import logging

import pytest


def start_cluster():
    """(cluster, client): two worker processes of one thread each."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                           dashboard_address=":0", silence_logs=logging.CRITICAL)
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(2, timeout=60)
    return cluster, client


@pytest.fixture(scope="module")
def client():
    cluster, client = start_cluster()
    yield client
    client.close()
    cluster.close()


def worker_names(client):
    """{worker address: Dask worker name} of the cluster's workers."""
    return {address: info["name"] for address, info in client.scheduler_info()["workers"].items()}
