"""Wire formats: payload models, CloudEvents headers, JSON and Avro codecs, repartition form."""
