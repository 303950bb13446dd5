# The lab's visuals, written once as a template definition; the analysis (for owners to edit) and the published
# dashboard (for owners and viewers to read) are both made from the template, bound to the dataset.

locals {
  placeholder = "retail" # the template's name for the dataset; the analysis and dashboard bind it to ours

  # The columns the visuals use, typed as the dataset declares them (the columns variable validates them).
  visual_columns = [for c in var.columns : c if contains(["invoicedate", "quantity", "price", "country", "description"], c.name)]
  revenue        = "revenue" # calculated: quantity * price (cancellations have a negative quantity and subtract)

  bar_charts = [
    { id = "revenue-by-country", title = "Revenue by country", column = "country", limit = null },
    { id = "top-products", title = "Top ${var.top_products_count} products by revenue", column = "description", limit = var.top_products_count },
  ]

  # 36-column grid: revenue by month across the top, the two bar charts side by side below it.
  layout = [
    { id = "revenue-by-month", column = 0, row = 0, width = 36, height = 10 },
    { id = "revenue-by-country", column = 0, row = 10, width = 18, height = 14 },
    { id = "top-products", column = 18, row = 10, width = 18, height = 14 },
  ]

  # What the QuickSight console grants the owner of a template, an analysis and a dashboard, and a dashboard reader.
  template_owner_actions = [
    "quicksight:CreateTemplateAlias",
    "quicksight:DeleteTemplate",
    "quicksight:DeleteTemplateAlias",
    "quicksight:DescribeTemplate",
    "quicksight:DescribeTemplateAlias",
    "quicksight:DescribeTemplatePermissions",
    "quicksight:ListTemplateAliases",
    "quicksight:ListTemplateVersions",
    "quicksight:UpdateTemplate",
    "quicksight:UpdateTemplateAlias",
    "quicksight:UpdateTemplatePermissions",
  ]
  analysis_owner_actions = [
    "quicksight:DeleteAnalysis",
    "quicksight:DescribeAnalysis",
    "quicksight:DescribeAnalysisPermissions",
    "quicksight:QueryAnalysis",
    "quicksight:RestoreAnalysis",
    "quicksight:UpdateAnalysis",
    "quicksight:UpdateAnalysisPermissions",
  ]
  dashboard_owner_actions = [
    "quicksight:DeleteDashboard",
    "quicksight:DescribeDashboard",
    "quicksight:DescribeDashboardPermissions",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
    "quicksight:UpdateDashboard",
    "quicksight:UpdateDashboardPermissions",
    "quicksight:UpdateDashboardPublishedVersion",
  ]
  dashboard_viewer_actions = [
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
  ]
}

resource "aws_quicksight_template" "this" {
  count = var.create_dashboard ? 1 : 0

  template_id         = "${var.name_prefix}-retail-sales"
  name                = "${var.name_prefix} retail sales"
  version_description = "Revenue by month, by country and top ${var.top_products_count} products (managed by Terraform)."
  tags                = var.tags

  definition {
    data_set_configuration {
      placeholder = local.placeholder
      data_set_schema {
        dynamic "column_schema_list" {
          for_each = local.visual_columns
          content {
            name      = column_schema_list.value.name
            data_type = column_schema_list.value.type
          }
        }
      }
    }

    calculated_fields {
      data_set_identifier = local.placeholder
      name                = local.revenue
      expression          = "{quantity} * {price}"
    }

    sheets {
      sheet_id = "sales"
      name     = "Sales"

      visuals {
        line_chart_visual {
          visual_id = "revenue-by-month"
          title {
            format_text {
              plain_text = "Revenue by month"
            }
          }
          chart_configuration {
            field_wells {
              line_chart_aggregated_field_wells {
                category {
                  date_dimension_field {
                    field_id         = "revenue-by-month.month"
                    date_granularity = "MONTH"
                    column {
                      data_set_identifier = local.placeholder
                      column_name         = "invoicedate"
                    }
                  }
                }
                values {
                  numerical_measure_field {
                    field_id = "revenue-by-month.revenue"
                    column {
                      data_set_identifier = local.placeholder
                      column_name         = local.revenue
                    }
                    aggregation_function {
                      simple_numerical_aggregation = "SUM"
                    }
                  }
                }
              }
            }
            sort_configuration {
              category_sort {
                field_sort {
                  field_id  = "revenue-by-month.month"
                  direction = "ASC"
                }
              }
            }
          }
        }
      }

      dynamic "visuals" {
        for_each = local.bar_charts
        content {
          bar_chart_visual {
            visual_id = visuals.value.id
            title {
              format_text {
                plain_text = visuals.value.title
              }
            }
            chart_configuration {
              orientation = "HORIZONTAL"
              field_wells {
                bar_chart_aggregated_field_wells {
                  category {
                    categorical_dimension_field {
                      field_id = "${visuals.value.id}.${visuals.value.column}"
                      column {
                        data_set_identifier = local.placeholder
                        column_name         = visuals.value.column
                      }
                    }
                  }
                  values {
                    numerical_measure_field {
                      field_id = "${visuals.value.id}.revenue"
                      column {
                        data_set_identifier = local.placeholder
                        column_name         = local.revenue
                      }
                      aggregation_function {
                        simple_numerical_aggregation = "SUM"
                      }
                    }
                  }
                }
              }
              sort_configuration {
                category_sort {
                  field_sort {
                    field_id  = "${visuals.value.id}.revenue"
                    direction = "DESC"
                  }
                }
                dynamic "category_items_limit" {
                  for_each = visuals.value.limit == null ? [] : [visuals.value.limit]
                  content {
                    items_limit      = category_items_limit.value
                    other_categories = "EXCLUDE"
                  }
                }
              }
            }
          }
        }
      }

      layouts {
        configuration {
          grid_layout {
            dynamic "elements" {
              for_each = local.layout
              content {
                element_id   = elements.value.id
                element_type = "VISUAL"
                column_index = tostring(elements.value.column)
                row_index    = tostring(elements.value.row)
                column_span  = elements.value.width
                row_span     = elements.value.height
              }
            }
          }
        }
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)
    content {
      principal = permissions.value
      actions   = local.template_owner_actions
    }
  }
}

# The owners' working copy: made from the template once; later template versions reach the published dashboard,
# not this analysis (recreate it with `terraform apply -replace` to start again from the template).
resource "aws_quicksight_analysis" "this" {
  count = var.create_dashboard ? 1 : 0

  analysis_id = "${var.name_prefix}-retail-sales"
  name        = "${var.name_prefix} retail sales"
  tags        = var.tags

  source_entity {
    source_template {
      arn = aws_quicksight_template.this[0].arn
      data_set_references {
        data_set_placeholder = local.placeholder
        data_set_arn         = aws_quicksight_data_set.this.arn
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)
    content {
      principal = permissions.value
      actions   = local.analysis_owner_actions
    }
  }
}

resource "aws_quicksight_dashboard" "this" {
  count = var.create_dashboard ? 1 : 0

  dashboard_id = "${var.name_prefix}-retail-sales"
  name         = "${var.name_prefix} retail sales"
  # A new template version changes this description, so the dashboard is updated (and the provider publishes the
  # new dashboard version) from the template's latest version.
  version_description = "From template version ${aws_quicksight_template.this[0].version_number}."
  tags                = var.tags

  source_entity {
    source_template {
      arn = aws_quicksight_template.this[0].arn
      data_set_references {
        data_set_placeholder = local.placeholder
        data_set_arn         = aws_quicksight_data_set.this.arn
      }
    }
  }

  dynamic "permissions" {
    for_each = toset(var.owner_principal_arns)
    content {
      principal = permissions.value
      actions   = local.dashboard_owner_actions
    }
  }

  dynamic "permissions" {
    for_each = local.viewers
    content {
      principal = permissions.value
      actions   = local.dashboard_viewer_actions
    }
  }
}
