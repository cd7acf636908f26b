"""Put the dataset version, the source digest and a download link in every page footer."""

from datasette import hookimpl

DATABASE = "binational"


async def dataset_info(datasette):
    """The dataset_info table as a dict (empty when the database is not served)."""
    if DATABASE not in datasette.databases:
        return {}
    result = await datasette.get_database(DATABASE).execute("select key, value from dataset_info")
    return {row["key"]: row["value"] for row in result.rows}


@hookimpl
def extra_template_vars(datasette):
    async def variables():
        return {"binational_info": await dataset_info(datasette), "binational_database": DATABASE}

    return variables
