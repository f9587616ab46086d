"""COS (the XML API): GET Service, which lists the account's buckets, and PUT Bucket, which makes one.

COS is not an API 3.0 service: it signs with ``q-sign-algorithm=sha1&...`` in the Authorization header
(:mod:`.signature`), answers in XML with HTTP statuses (:mod:`.errors`, :mod:`.api`) and names a bucket by the
request's Host. :mod:`.model` holds the buckets, the same ones TCR makes for its instances.
"""
