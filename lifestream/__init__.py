"""LifeStream's runtime library: the video of a life → a diary that can be browsed, searched and asked.

Rooms follow the data, from the ground up; a room imports only its own and lower rooms
(tests/core/test_layering.py pins this):

- `core`        settings, secrets, shared constants, errors, models, time formatting, checkpoints, LLM client
- `storage`, `media`, `jobs`   S3 access and where outputs live · probe, scenes, audio · the job store
- `memory`      embeddings, vector stores, the VideoIndex (index, delete, search), answers, migration
- `understand`  transcription, blocks, vision, summaries, diary, chunks, and the pipeline that runs them
- `worker`      S3-in-SQS record processing (the Lambda's logic)
- `local`       the embedded default's moto cloud and event-source stand-in; processing files on disk
- `service`     the service layer: one owner's library, the rules both faces share
- `api`         the HTTP face (FastAPI)
- `cli`         the terminal face (typer + rich); its `serve` starts the HTTP face
"""
