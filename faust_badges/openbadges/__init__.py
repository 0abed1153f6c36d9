"""Open Badges 3.0 credentials, built, signed and verified without Faust, Kafka or HTTP.

``credential`` builds an ``OpenBadgeCredential`` (and the issuer profile), ``dataintegrity``
signs and checks an ``eddsa-rdfc-2022`` Data Integrity proof over ``jsonld``'s canonical form,
``keys`` loads the Ed25519 signing key, ``status_list`` encodes the W3C Bitstring Status List and
``verify`` checks a credential end to end with an injected fetcher.
"""
