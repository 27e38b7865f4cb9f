#pragma once
// Everything about .promptapp documents in one include.
#include "document/document_error.h"
#include "document/prompt_app.h"
#include "document/promptapp_reader.h"
#include "document/promptapp_validation.h"
#include "document/promptapp_writer.h"
#include "document/prompty.h"
