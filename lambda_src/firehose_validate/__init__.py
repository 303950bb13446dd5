"""Firehose record transformation: contract JSON goes on to the lake, anything else to the error prefix."""
