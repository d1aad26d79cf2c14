"""Deploying the whole product from one CloudFormation template (issue 10).

``template`` renders the template from the code (tables from ``acme_base.tables``, the
stream mapping from ``PROJECTION_CONSUMER``), ``package`` builds the Lambda zip reproducibly,
``stack`` creates/updates/deletes the stack through change sets. ``acme_txn.cli.deploy_cmd``
is the thin CLI over them.
"""
