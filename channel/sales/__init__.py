"""Customers and orders: lists, detail pages, and the pages that enter them. The blueprint is
`views.bp`; the modules below add their routes to it when the package is imported."""
from channel.sales import customer_edit  # noqa: F401  (New / Edit customer)
