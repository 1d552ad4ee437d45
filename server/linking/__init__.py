"""Being linked to: finding our resources by name (the Reconciliation Service API) and our links out (linksets).

No HTTP here: ``server.web.reconcile`` and ``server.web.void`` are thin
over these modules, which read the data through the store's site lane.
"""
