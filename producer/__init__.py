"""Stream Online Retail II sales records from a CSV file into Kinesis Data Streams or Firehose.

`retail-producer --help` (or `python -m producer --help`) describes the command. The records follow the data
contract (contract/record.schema.json, explained in docs/data-contract.md): one UTF-8 JSON object per record,
newline-terminated.
"""
